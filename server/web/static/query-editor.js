// The query page's editor: YASGUI (vendored in static/vendor/yasgui, see VENDORED.json there), set up
// so that it talks to this site only.
//
// * One endpoint, this site's /sparql; no endpoint chooser, no CORS proxy, no share-link service.
// * Autocompletion from this release only: the query's own variables (YASQE's "variables") and the
//   project's prefixes with the classes and properties the release uses, asked once of /sparql.
//   YASQE's prefix.cc and LOV completers are not enabled.
// * The project's prefixes are known without being pasted into the query: a query that uses ser:…
//   without declaring it is sent with the missing PREFIX lines put before it on one extra line, and
//   the line numbers of the endpoint's error messages are taken back by that line.
// * The example queries of queries/examples/ are the tabs; ?query= in the address opens and runs it.
// * Results: the "labels" table, "pivot" and "chart" (query-results.js, query-charts.js) and YASR's
//   own raw response view; YASR's DataTables table is not used (it injects inline styles).
// * Errors: the endpoint's message, with line and column, and the line marked in the editor.
// * The words of the page come from the server in the page's language (config.words).
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("sparql-config").textContent);
  const words = config.words;
  const Yasgui = window.Yasgui;
  const { Yasqe, Yasr } = Yasgui;
  const mount = document.getElementById("query-editor");
  // Absolute: YASGUI parses the endpoint as a URL (its CORS check on an error), and it is this site's.
  const endpoint = new URL(config.endpoint, location.href).href;
  const ERROR_AT = /line (\d+), column (\d+) \((\d+):(\d+)\)/;
  let shift = 0; // lines put before the query last sent
  let terms = null; // CURIEs of the release's classes and properties, once asked for

  // --- prefixes: known, never pasted ---
  function strip(query) {
    return query.replace(/#[^\n]*/g, "").replace(/<[^>\s]*>/g, "<>")
      .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
  }

  function missingPrefixes(query) {
    const text = strip(query);
    const declared = new Set([...text.matchAll(/PREFIX\s+([A-Za-z][\w.-]*)?:/gi)].map((m) => m[1] || ""));
    const used = new Set([...text.matchAll(/(?:^|[\s(,;/^|{}!])([A-Za-z][\w.-]*)?:/g)].map((m) => m[1] || ""));
    return [...used].filter((p) => !declared.has(p) && Object.hasOwn(config.prefixes, p));
  }

  function withPrefixes(query) {
    const missing = missingPrefixes(query);
    shift = missing.length ? 1 : 0;
    if (!missing.length) return query;
    return `${missing.map((p) => `PREFIX ${p}: <${config.prefixes[p]}>`).join(" ")}\n${query}`;
  }

  // YASQE's own syntax check flags a prefix the query does not declare: its tokenizer starts knowing
  // the project's (a mode that wraps YASQE's "sparql11", as CodeMirror modes compose).
  const sparql11 = Yasqe.modes.sparql11;
  Yasqe.defineMode("sparql11", (cmConfig, modeConfig) => {
    const mode = sparql11(cmConfig, modeConfig);
    const startState = mode.startState;
    mode.startState = () => {
      const state = startState();
      state.prefixes = { ...config.prefixes, ...state.prefixes };
      return state;
    };
    return mode;
  });

  // --- autocompletion from the release ---
  async function releaseTerms() {
    if (terms) return terms;
    const query = "SELECT DISTINCT ?term WHERE { { ?s a ?term } UNION { ?s ?term ?o } }";
    const found = new Set(Object.keys(config.prefixes).map((p) => `${p}:`));
    try {
      const response = await fetch(config.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
        body: new URLSearchParams({ query }),
      });
      if (response.ok) {
        for (const b of (await response.json()).results.bindings) {
          for (const [prefix, ns] of Object.entries(config.prefixes)) {
            const local = b.term.value.slice(ns.length);
            if (b.term.value.startsWith(ns) && /^[\w-]+$/.test(local)) found.add(`${prefix}:${local}`);
          }
        }
      }
    } catch (err) {
      // the prefixes alone are still worth completing
    }
    terms = [...found].sort();
    return terms;
  }

  Yasqe.registerAutocompleter({
    name: "release",
    bulk: true,
    autoShow: true,
    get: releaseTerms,
    isValidCompletionPosition(yasqe) {
      const token = yasqe.getCompleteToken();
      if (!/^[A-Za-z][\w.-]*(:[\w.-]*)?$/.test(token.string) || token.string.length < 2) return false;
      const previous = yasqe.getPreviousNonWsToken(yasqe.getDoc().getCursor().line, token);
      return !previous || previous.string.toUpperCase() !== "PREFIX";
    },
  }, false);
  Yasqe.defaults.autocompleters = ["variables", "release"];
  Yasqe.defaults.prefixCcApi = null;

  // --- results ---
  Yasr.registerPlugin("labels", window.SerResults.LabelTable);
  Yasr.registerPlugin("pivot", window.SerCharts.Pivot);
  Yasr.registerPlugin("chart", window.SerCharts.Chart);
  delete Yasr.plugins.table;
  delete Yasr.defaults.plugins.table;
  class Response extends Yasr.plugins.response {
    constructor(yasr) {
      super(yasr);
      this.label = words.response;
    }
  }
  Yasr.registerPlugin("response", Response);
  Yasr.defaults.pluginOrder = ["labels", "pivot", "chart", "response"];
  Yasr.defaults.defaultPlugin = "labels";
  Yasr.defaults.prefixes = config.prefixes;
  Yasr.defaults.errorRenderers = [renderError];

  function editor() {
    const tab = yasgui.getTab();
    return tab ? tab.getYasqe() : null;
  }

  let marked = null;
  function mark(line, column) {
    const yasqe = editor();
    if (!yasqe) return;
    const target = Math.min(line, yasqe.getDoc().lineCount()) - 1;
    marked = { yasqe, handle: yasqe.addLineClass(target, "wrap", "query-error-line") };
    yasqe.getDoc().setCursor({ line: target, ch: Math.max(column - 1, 0) });
  }

  function unmark() {
    if (marked) marked.yasqe.removeLineClass(marked.handle, "wrap", "query-error-line");
    marked = null;
  }

  const LONG_MESSAGE = 300; // characters: a parser's list of what it expected goes behind a summary

  async function renderError(error) {
    const message = String(error.text || error.statusText || "").trim();
    const box = Object.assign(document.createElement("div"), { className: "query-error" });
    box.setAttribute("role", "alert");
    const heading = document.createElement("p");
    heading.className = "query-error-heading";
    const at = ERROR_AT.exec(message);
    let shown = message;
    if (at) {
      const line = Math.max(Number(at[1]) - shift, 1);
      const column = Number(at[2]);
      shown = message.replace(at[0], `line ${line}, column ${column} (${line}:${column})`);
      heading.textContent = words.errorAt.replace("{line}", line).replace("{column}", column);
      heading.dataset.line = line;
      heading.dataset.column = column;
      unmark();
      mark(line, column);
    } else {
      heading.textContent = words.error.replace("{status}", error.status || "");
    }
    box.append(heading);
    if (/Prefix not found/.test(message)) {
      box.append(Object.assign(document.createElement("p"), { textContent: words.unknownPrefix }));
    }
    const pre = Object.assign(document.createElement("pre"), { textContent: shown || words.unreachable });
    if (shown.length > LONG_MESSAGE) {
      const details = document.createElement("details");
      details.append(Object.assign(document.createElement("summary"), { textContent: words.serverMessage }), pre);
      box.append(details);
    } else {
      box.append(pre);
    }
    return box;
  }

  // --- the editor ---
  const tabConfig = (name, query) => ({ name, yasqe: { value: query } });
  const yasgui = new Yasgui(mount, {
    persistenceId: null, // the tabs are the examples of this release, not what an earlier visit left
    populateFromUrl: false,
    autoAddOnInit: false,
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [], keys: [], renderItem: () => undefined },
    tabName: words.newTab,
    corsProxy: undefined,
    requestConfig: {
      endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
      adjustQueryBeforeRequest: (yasqe) => withPrefixes(yasqe.getValue()),
    },
    yasqe: { value: config.starter, editorHeight: "18rem", showQueryButton: true, resizeable: true },
    yasr: { prefixes: config.prefixes },
  });

  const opened = [];
  if (config.query) opened.push(yasgui.addTab(true, tabConfig(words.yourQuery, config.query)));
  else opened.push(yasgui.addTab(true, tabConfig(words.starterTab, config.starter)));
  for (const example of config.examples) {
    opened.push(yasgui.addTab(false, tabConfig(example.title, example.query)));
  }
  yasgui.selectTabId(opened[0].getId());
  yasgui.on("query", (_yasgui, tab) => {
    unmark();
    // The address names the query, so that it can be shared and opened again (?query= runs it).
    const params = new URLSearchParams(location.search);
    params.set("query", tab.getYasqe().getValue());
    history.replaceState(null, "", `${location.pathname}?${params}`);
  });

  // YASGUI's own few words, in the page's language; redone whenever YASGUI redraws a part.
  function say(el, attribute, value) {
    if (el && el.getAttribute(attribute) !== value) el.setAttribute(attribute, value);
  }
  // YASGUI's tab bar made accessible: the "+" button moves out of the tablist (a tablist holds tabs
  // only), into a bar beside it; YASGUI then appends new tabs at the list's end. A tab names its
  // panel (aria-controls) only while that panel is in the page, and the editor has a label.
  const tabsList = mount.querySelector(".tabsList");
  const tabElements = yasgui.tabElements;
  if (tabsList && tabElements && tabElements.addTabEl && tabElements.addTabEl.parentElement === tabsList) {
    const bar = document.createElement("div");
    bar.className = "tabs-bar";
    tabsList.before(bar);
    bar.append(tabsList, tabElements.addTabEl);
    tabElements.addTabEl = null;
  }
  function localise() {
    say(tabsList, "aria-label", words.tabs);
    for (const el of mount.querySelectorAll(".tabsList a[role=tab]")) {
      const panel = (el.getAttribute("href") || "").slice(1);
      if (panel && document.getElementById(panel)) say(el, "aria-controls", panel);
      else if (el.hasAttribute("aria-controls")) el.removeAttribute("aria-controls");
    }
    for (const el of mount.querySelectorAll(".addTab")) {
      say(el, "title", words.addTab);
      say(el, "aria-label", words.addTab);
    }
    for (const el of mount.querySelectorAll(".CodeMirror textarea")) say(el, "aria-label", words.editor);
    for (const el of mount.querySelectorAll(".tabsList .tab a > span")) say(el, "title", el.textContent);
    for (const el of mount.querySelectorAll(".closeTab")) say(el, "title", words.closeTab);
    for (const el of mount.querySelectorAll(".yasr_btn[title]")) say(el, "aria-label", el.title);
    // A results view that does not fit this answer is dimmed by YASR; say so to assistive technology.
    for (const el of mount.querySelectorAll(".yasr_btn")) {
      if (el.classList.contains("disabled")) say(el, "aria-disabled", "true");
      else if (el.hasAttribute("aria-disabled")) el.removeAttribute("aria-disabled");
    }
    for (const el of mount.querySelectorAll(".yasr_downloadIcon")) say(el, "aria-label", words.downloadCsv);
    for (const el of mount.querySelectorAll(".yasqe_queryButton")) {
      say(el, "title", words.run);
      say(el, "aria-label", words.run);
    }
    const tab = yasgui.getTab();
    const results = tab && tab.getYasr() && tab.getYasr().results;
    const chip = mount.querySelector(".tabPanel.active .yasr_response_chip:not(.empty)");
    if (chip && results) {
      const bindings = results.getError() ? null : results.getBindings();
      const seconds = ((results.getResponseTime() || 0) / 1000).toLocaleString(config.lang, { maximumFractionDigits: 2 });
      const text = (bindings ? words.chip.replace("{count}", bindings.length) : words.chipOther).replace("{seconds}", seconds);
      if (chip.textContent !== text) chip.textContent = text;
    }
  }
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; localise(); });
  }).observe(mount, { childList: true, subtree: true });
  for (const el of document.querySelectorAll("[data-example]")) {
    const index = config.examples.findIndex((e) => e.name === el.dataset.example);
    el.addEventListener("click", (event) => {
      event.preventDefault();
      const tab = opened[index + 1];
      yasgui.selectTabId(tab.getId());
      tab.query().catch(() => {});
    });
  }
  document.body.classList.add("js");
  if (config.query) opened[0].query().catch(() => {});
})();
