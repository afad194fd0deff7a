// Results of the query page as a person reads them: a YASR plugin ("labels") that shows a table whose
// IRIs are labels linking to this site's /doc/ pages, whose literals are formatted for the reader
// (numbers with separators, dates spelled out, no ^^xsd:… or @nl), with sorting, a filter and pages.
// Labels come from this site's own SPARQL endpoint (the label predicates of server/web/labels.py, in
// the reader's language first), asked for the rows of the page shown only.
// Everything from a result reaches the page through textContent or attributes set one by one.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("sparql-config").textContent);
  const words = config.words;
  const lang = config.lang;
  const PAGE_SIZE = 50;
  const LOOKUP_BATCH = 100; // IRIs per label query: well within max_query_length
  const MAX_LABELS = 5000; // labels remembered across queries
  const SAFE_IRI = /^[^<>"{}|^`\\\s]+$/;
  const LINKABLE = /^https?:\/\//i;
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
    "unsignedLong", "unsignedShort", "unsignedByte"]);
  const numbers = new Intl.NumberFormat(lang === "en" ? "en-GB" : "nl-NL", { maximumFractionDigits: 6 });
  const dates = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nl-NL", { dateStyle: "long", timeZone: "UTC" });
  const labels = new Map(); // IRI -> label in the reader's language (or the best there is)

  // Where a link to an IRI goes: a local path for this dataset's IRIs (as server/web/addresses.py href),
  // the IRI itself for other web IRIs, nothing for any other scheme.
  function href(iri) {
    if (!iri.startsWith(config.base)) return LINKABLE.test(iri) ? iri : "";
    const rest = iri.slice(config.base.length);
    if (rest.startsWith("id/")) return `/doc/${rest.slice(3)}`;
    if (rest.startsWith("def/")) {
      const term = rest.slice(4);
      return !term.includes("/") && term !== config.ontology ? `/doc/def/${config.ontology}#${term}` : `/doc/${rest}`;
    }
    return `/${rest}`;
  }

  // A thing of this dataset without a label (yet): its type and key, as in its /doc/ address.
  function local(iri) {
    const rest = iri.startsWith(config.base) ? iri.slice(config.base.length) : "";
    return rest.startsWith("id/") ? rest.slice(3) : rest;
  }

  function curie(iri) {
    for (const [prefix, ns] of Object.entries(config.prefixes)) {
      if (iri.startsWith(ns) && /^[\w.-]*$/.test(iri.slice(ns.length))) return `${prefix}:${iri.slice(ns.length)}`;
    }
    return null;
  }

  function isNumeric(term) {
    return term && term.type !== "uri" && term.datatype && term.datatype.startsWith(XSD)
      && NUMERIC.has(term.datatype.slice(XSD.length));
  }

  // A literal as the pages show it (server/web/presentation.py literal_text, in short).
  function literalText(term) {
    const type = term.datatype && term.datatype.startsWith(XSD) ? term.datatype.slice(XSD.length) : "";
    if (NUMERIC.has(type) && Number.isFinite(Number(term.value))) return numbers.format(Number(term.value));
    if (type === "date" && /^\d{4}-\d{2}-\d{2}$/.test(term.value)) return dates.format(new Date(`${term.value}T00:00:00Z`));
    if (type === "gYear" && /^\d{4}$/.test(term.value)) return term.value;
    if (type === "boolean") return term.value === "true" ? words.yes : words.no;
    return term.value;
  }

  function text(term) {
    if (!term) return "";
    if (term.type === "uri") return labels.get(term.value) || curie(term.value) || local(term.value) || term.value;
    if (term.type === "bnode") return `_:${term.value}`;
    return literalText(term);
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const target = href(term.value);
      const el = document.createElement(target ? "a" : "span");
      el.className = "iri";
      el.textContent = text(term);
      el.title = term.value;
      el.dataset.iri = term.value;
      if (target) el.href = target;
      td.append(el);
    } else if (term.type === "bnode") {
      td.append(Object.assign(document.createElement("span"), { className: "bnode", textContent: text(term) }));
    } else {
      td.append(text(term));
      if (isNumeric(term)) td.className = "number";
      const tag = term["xml:lang"];
      if (tag && tag !== lang) td.append(Object.assign(document.createElement("span"), { className: "tag", textContent: tag }));
      if (term.datatype) td.title = curie(term.datatype) || term.datatype;
    }
    return td;
  }

  // --- labels from this site's endpoint ---
  function rank(binding) {
    const tag = (binding.label["xml:lang"] || "").toLowerCase();
    const language = tag === lang ? 0 : tag === "nl" ? 1 : tag === "" ? 2 : 3;
    return language * 100 + config.labelPredicates.indexOf(binding.p.value);
  }

  async function lookup(iris) {
    const wanted = [...new Set(iris)].filter((iri) => !labels.has(iri) && SAFE_IRI.test(iri) && iri.startsWith(config.base));
    for (let i = 0; i < wanted.length; i += LOOKUP_BATCH) {
      const batch = wanted.slice(i, i + LOOKUP_BATCH);
      const query = `SELECT ?s ?p ?label WHERE { VALUES ?s { ${batch.map((x) => `<${x}>`).join(" ")} } ` +
        `VALUES ?p { ${config.labelPredicates.map((p) => `<${p}>`).join(" ")} } ?s ?p ?label FILTER(isLiteral(?label)) }`;
      let data;
      try {
        const response = await fetch(config.endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
          body: new URLSearchParams({ query }),
        });
        if (!response.ok) return;
        data = await response.json();
      } catch (err) {
        return; // labels are a courtesy: the CURIEs stay
      }
      const best = new Map();
      for (const b of data.results.bindings) {
        const score = rank(b);
        if (!best.has(b.s.value) || score < best.get(b.s.value)[0]) best.set(b.s.value, [score, b.label.value]);
      }
      if (labels.size > MAX_LABELS) labels.clear();
      for (const [iri, [, label]] of best) labels.set(iri, label);
    }
  }

  async function label(root) {
    const links = [...root.querySelectorAll("[data-iri]")];
    await lookup(links.map((el) => el.dataset.iri));
    for (const el of links) if (labels.has(el.dataset.iri)) el.textContent = labels.get(el.dataset.iri);
  }

  function svgIcon(d) {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
    return svg;
  }

  class LabelTable {
    constructor(yasr) {
      this.yasr = yasr;
      this.label = words.table;
      this.priority = 20;
      this.page = 0;
      this.order = null; // [column, 1 | -1]
      this.filter = "";
    }

    canHandleResults() {
      const results = this.yasr.results;
      return Boolean(results) && !results.getError() && results.getBoolean() === undefined
        && Array.isArray(results.getBindings());
    }

    getIcon() {
      return svgIcon("M1 2h14v12H1zM1 6h14M1 10h14M6 2v12");
    }

    download() {
      const results = this.yasr.results;
      return { contentType: "text/csv", getData: () => results.asCsv(), filename: "results.csv", title: words.downloadCsv };
    }

    rows() {
      const vars = this.yasr.results.getVariables();
      let rows = this.yasr.results.getBindings();
      if (this.filter) {
        const needle = this.filter.toLocaleLowerCase();
        rows = rows.filter((b) => vars.some((v) => text(b[v]).toLocaleLowerCase().includes(needle)
          || (b[v] && b[v].value.toLocaleLowerCase().includes(needle))));
      }
      if (this.order) {
        const [column, direction] = this.order;
        const collator = new Intl.Collator(lang, { numeric: true });
        rows = [...rows].sort((a, b) => {
          const x = a[column], y = b[column];
          if (isNumeric(x) && isNumeric(y)) return direction * (Number(x.value) - Number(y.value));
          return direction * collator.compare(text(x), text(y));
        });
      }
      return rows;
    }

    draw() {
      const results = this.yasr.results;
      if (results !== this.results) { // a new answer starts on its first page, unsorted and unfiltered
        this.results = results;
        this.page = 0;
        this.order = null;
        this.filter = "";
      }
      const vars = results.getVariables();
      const all = results.getBindings();
      const numeric = new Set(vars.filter((v) => all.some((b) => b[v]) && all.every((b) => !b[v] || isNumeric(b[v]))));
      const root = document.createElement("div");
      root.className = "label-table";
      const controls = document.createElement("div");
      controls.className = "label-table-controls";
      const filter = Object.assign(document.createElement("input"), { type: "search", value: this.filter, placeholder: words.filter });
      filter.setAttribute("aria-label", words.filter);
      const count = Object.assign(document.createElement("span"), { className: "label-table-count" });
      controls.append(filter, count);
      const scroller = Object.assign(document.createElement("div"), { className: "label-table-scroll" });
      const table = document.createElement("table");
      scroller.append(table);
      const pager = Object.assign(document.createElement("nav"), { className: "label-table-pager" });
      pager.setAttribute("aria-label", words.pages);
      root.append(controls, scroller, pager);
      this.yasr.resultsEl.append(root);

      const render = () => {
        const rows = this.rows();
        const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
        this.page = Math.min(this.page, pages - 1);
        const shown = rows.slice(this.page * PAGE_SIZE, (this.page + 1) * PAGE_SIZE);
        const head = document.createElement("thead");
        const headRow = head.insertRow();
        for (const v of vars) {
          const th = document.createElement("th");
          th.scope = "col";
          if (numeric.has(v)) th.className = "number";
          const button = Object.assign(document.createElement("button"), { type: "button", textContent: v });
          const sorted = this.order && this.order[0] === v ? this.order[1] : 0;
          th.setAttribute("aria-sort", sorted === 1 ? "ascending" : sorted === -1 ? "descending" : "none");
          button.title = words.sort;
          button.addEventListener("click", () => {
            this.order = [v, sorted === 1 ? -1 : 1];
            render();
          });
          th.append(button);
          headRow.append(th);
        }
        const body = document.createElement("tbody");
        for (const binding of shown) {
          const tr = body.insertRow();
          for (const v of vars) tr.append(cell(binding[v]));
        }
        table.replaceChildren(head, body);
        count.textContent = words.rows.replace("{count}", numbers.format(rows.length));
        pager.replaceChildren();
        if (pages > 1) {
          const go = (page, textContent, disabled) => {
            const b = Object.assign(document.createElement("button"), { type: "button", textContent, disabled });
            b.addEventListener("click", () => { this.page = page; render(); });
            pager.append(b);
          };
          go(this.page - 1, words.previous, this.page === 0);
          pager.append(Object.assign(document.createElement("span"), {
            textContent: words.pageOf.replace("{page}", this.page + 1).replace("{pages}", pages) }));
          go(this.page + 1, words.next, this.page >= pages - 1);
        }
        label(body);
      };
      filter.addEventListener("input", () => {
        this.filter = filter.value;
        this.page = 0;
        render();
      });
      render();
    }
  }

  window.SerResults = { LabelTable, text, cell, label, lookup, isNumeric, numbers, svgIcon, labels };
})();
