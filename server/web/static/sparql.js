// The SPARQL query page: a highlighted editor, the example queries, and results as a table.
// Plain JavaScript, no libraries. Everything from a query result or the editor reaches the page
// through textContent or attributes set one by one: never through innerHTML.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("sparql-config").textContent);
  const form = document.getElementById("sparql-form");
  const editor = document.getElementById("sparql-query");
  const highlight = document.getElementById("sparql-highlight");
  const status = document.getElementById("sparql-status");
  const results = document.getElementById("sparql-results");
  const formatSelect = document.getElementById("sparql-format");
  const prefixButton = document.getElementById("sparql-prefixes");
  const downloadButton = document.getElementById("sparql-download");
  const TRUNCATED = "SER-KG-Truncated";

  // --- highlighting: the same token classes as the server's policy lexer ---
  const TOKEN = new RegExp([
    "(#[^\\n]*)",                                        // 1 comment
    "('''[\\s\\S]*?'''|\"\"\"[\\s\\S]*?\"\"\"|'(?:[^'\\\\\\n]|\\\\.)*'|\"(?:[^\"\\\\\\n]|\\\\.)*\")", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                          // 3 IRI
    "([?$][\\w\\u00b7]+)",                               // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:[\\w.:%-]*)",                // 5 prefixed name
    "(\\b[A-Za-z_]+\\b)",                                // 6 word
  ].join("|"), "g");
  const KEYWORDS = new Set(("BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED " +
    "GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SILENT BIND MINUS FILTER " +
    "UNION IN NOT EXISTS a true false COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR").split(" "));

  function span(cls, text) {
    const el = document.createElement("span");
    el.className = cls;
    el.textContent = text;
    return el;
  }

  function paint() {
    const text = editor.value;
    const out = document.createDocumentFragment();
    let last = 0;
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
      if (m.index > last) out.append(text.slice(last, m.index));
      const cls = m[1] ? "tok-comment" : m[2] ? "tok-string" : m[3] ? "tok-iri" : m[4] ? "tok-var"
        : m[5] ? "tok-pname" : KEYWORDS.has(m[6].toUpperCase()) || m[6] === "a" ? "tok-keyword" : "";
      out.append(cls ? span(cls, m[0]) : m[0]);
      last = TOKEN.lastIndex;
    }
    out.append(text.slice(last) + "\n");
    highlight.replaceChildren(out);
    highlight.parentElement.scrollTop = editor.scrollTop;
    highlight.parentElement.scrollLeft = editor.scrollLeft;
    prefixButton.hidden = missingPrefixes().length === 0;
  }

  // --- prefixes: add PREFIX lines for prefixed names the query uses but does not declare ---
  function missingPrefixes() {
    const text = editor.value.replace(/#[^\n]*/g, "").replace(/<[^>\s]*>/g, "")
      .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, "");
    const declared = new Set([...text.matchAll(/PREFIX\s+([A-Za-z][\w.-]*)?:/gi)].map((m) => m[1] || ""));
    const used = new Set([...text.matchAll(/(?:^|[\s(,;/^|{}])([A-Za-z][\w.-]*)?:/g)].map((m) => m[1] || ""));
    return [...used].filter((p) => !declared.has(p) && Object.hasOwn(config.prefixes, p));
  }

  function addPrefixes() {
    const lines = missingPrefixes().map((p) => `PREFIX ${p}: <${config.prefixes[p]}>\n`);
    editor.value = lines.join("") + editor.value;
    paint();
  }

  // --- running a query ---
  function curie(iri) {
    for (const [prefix, ns] of Object.entries(config.prefixes)) {
      if (iri.startsWith(ns) && /^[\w-]+$/.test(iri.slice(ns.length))) return `${prefix}:${iri.slice(ns.length)}`;
    }
    return null;
  }

  function termCell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.textContent = curie(term.value) || `<${term.value}>`;
      a.title = term.value;
      if (/^https?:\/\//i.test(term.value)) a.href = term.value;
      td.append(a);
    } else if (term.type === "literal") {
      td.append(term.value);
      const tag = term["xml:lang"] ? `@${term["xml:lang"]}` : term.datatype ? `^^${curie(term.datatype) || term.datatype}` : "";
      if (tag) td.append(span("tag", tag));
    } else if (term.type === "bnode") {
      td.append(span("bnode", `_:${term.value}`));
    } else {
      td.append(JSON.stringify(term.value));
    }
    return td;
  }

  function table(data) {
    const tbl = document.createElement("table");
    const head = tbl.createTHead().insertRow();
    for (const v of data.head.vars) {
      const th = document.createElement("th");
      th.textContent = `?${v}`;
      head.append(th);
    }
    const body = tbl.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const v of data.head.vars) row.append(termCell(binding[v]));
    }
    return tbl;
  }

  function isGraphQuery(query) {
    const body = query.replace(/#[^\n]*/g, "").replace(/<[^>\s]*>/g, "<>").replace(/"(?:[^"\\]|\\.)*"/g, '""');
    const form = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(body);
    return Boolean(form) && /^(CONSTRUCT|DESCRIBE)$/i.test(form[1]);
  }

  function say(text, cls) {
    status.textContent = text;
    status.className = `status ${cls || ""}`;
  }

  async function run() {
    const query = editor.value;
    const graph = isGraphQuery(query);
    const accept = graph ? "text/turtle" : "application/sparql-results+json";
    const started = performance.now();
    say("Running…");
    results.replaceChildren();
    history.replaceState(null, "", `${location.pathname}?query=${encodeURIComponent(query)}`);
    let response;
    try {
      response = await fetch(config.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
        body: new URLSearchParams({ query }),
      });
    } catch (err) {
      say(`The server could not be reached: ${err.message}`, "error");
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const text = await response.text();
    if (!response.ok) {
      say(`Error ${response.status} after ${seconds} s`, "error");
      results.append(Object.assign(document.createElement("pre"), { className: "error", textContent: text }));
      return;
    }
    const truncated = response.headers.get(TRUNCATED) === "true";
    let count;
    if (graph) {
      results.append(Object.assign(document.createElement("pre"), { className: "graph", textContent: text }));
      count = `${text.split("\n").filter((l) => l.trim()).length} lines of Turtle`;
    } else {
      const data = JSON.parse(text);
      if ("boolean" in data) {
        results.append(Object.assign(document.createElement("p"), { className: "boolean", textContent: String(data.boolean) }));
        count = "ASK";
      } else {
        results.append(table(data));
        count = `${data.results.bindings.length} rows`;
      }
    }
    say(`${count} in ${seconds} s`);
    if (truncated) {
      const warn = document.createElement("p");
      warn.className = "truncated";
      warn.textContent = `The answer was cut at the result limit of ${config.limits.results} rows ` +
        `(header ${TRUNCATED}: true). Add a LIMIT/OFFSET or make the query more selective.`;
      results.prepend(warn);
    }
  }

  function download() {
    const params = new URLSearchParams({ query: editor.value, format: formatSelect.value });
    window.open(`${config.endpoint}?${params}`, "_blank", "noopener");
  }

  // --- wiring ---
  editor.addEventListener("input", paint);
  editor.addEventListener("scroll", () => {
    highlight.parentElement.scrollTop = editor.scrollTop;
    highlight.parentElement.scrollLeft = editor.scrollLeft;
  });
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      paint();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  prefixButton.addEventListener("click", addPrefixes);
  downloadButton.hidden = false;
  downloadButton.addEventListener("click", download);
  for (const link of document.querySelectorAll("[data-example]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const example = config.examples.find((e) => e.name === link.dataset.example);
      if (example) {
        editor.value = example.query;
        paint();
        editor.focus();
      }
    });
  }
  document.body.classList.add("js");
  paint();
  if (config.query) run();
})();
