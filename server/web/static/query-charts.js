// Two YASR plugins for answers with a number column, drawn here in the page (no chart service, no
// remote script): "pivot", a cross table of the first text column (rows) by the second (columns) with
// the sum of the first number column, and "chart", the same numbers as stacked horizontal bars.
// Built from DOM elements with textContent; bar widths are set through the CSSOM (element.style),
// which the site's Content-Security-Policy allows, never through style attributes in markup.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("sparql-config").textContent);
  const words = config.words;
  const R = window.SerResults;
  const MAX_ROWS = 5000; // more rows than a chart can show legibly: the table plugin takes them
  const COLOURS = 8; // classes series-0 … series-7 in query-editor.css

  // The answer as categories × series -> sum, or null when it has no number or no text column.
  function pivot(results) {
    const bindings = results.getBindings() || [];
    if (!bindings.length || bindings.length > MAX_ROWS) return null;
    const vars = results.getVariables();
    const numeric = vars.filter((v) => bindings.every((b) => !b[v] || R.isNumeric(b[v])) && bindings.some((b) => b[v]));
    const textual = vars.filter((v) => !numeric.includes(v));
    if (!numeric.length || !textual.length) return null;
    const [category, series] = textual;
    const value = numeric[0];
    const cats = new Map(), names = new Map(), sums = new Map();
    for (const b of bindings) {
      const c = b[category] ? b[category].value : "";
      const s = series && b[series] ? b[series].value : "";
      if (!cats.has(c)) cats.set(c, b[category]);
      if (!names.has(s)) names.set(s, series ? b[series] : null);
      const key = `${c}\u0000${s}`;
      sums.set(key, (sums.get(key) || 0) + (b[value] ? Number(b[value].value) : 0));
    }
    return { category, series, value, cats, names, get: (c, s) => sums.get(`${c}\u0000${s}`) || 0 };
  }

  function seriesName(p, term) {
    return term ? R.text(term) : p.series ? words.noValue : p.value;
  }

  async function withLabels(results) {
    const iris = [];
    for (const b of results.getBindings() || []) for (const t of Object.values(b)) if (t.type === "uri") iris.push(t.value);
    await R.lookup(iris);
  }

  // A view of the answer's pivot: its name, its place among YASR's tabs and its icon; draw() labels the
  // answer's IRIs, then hands the pivot to render(), which each view defines.
  class Plugin {
    constructor(yasr, label, priority, icon) {
      this.yasr = yasr;
      this.label = label;
      this.priority = priority;
      this.icon = icon;
    }

    canHandleResults() {
      const results = this.yasr.results;
      return Boolean(results) && !results.getError() && Array.isArray(results.getBindings()) && pivot(results) !== null;
    }

    getIcon() {
      return R.svgIcon(this.icon);
    }

    async draw() {
      const results = this.yasr.results;
      await withLabels(results);
      this.yasr.resultsEl.append(this.render(pivot(results)));
    }
  }

  class Pivot extends Plugin {
    constructor(yasr) {
      super(yasr, words.pivot, 5, "M1 1h14v14H1zM1 5h14M5 1v14");
    }

    render(p) {
      const table = document.createElement("table");
      table.className = "pivot";
      const caption = table.createCaption();
      caption.textContent = words.pivotCaption.replace("{value}", p.value).replace("{rows}", p.category)
        .replace("{columns}", p.series || "–");
      const head = table.createTHead().insertRow();
      head.append(Object.assign(document.createElement("th"), { scope: "col", textContent: p.category }));
      for (const [s, term] of p.names) head.append(Object.assign(document.createElement("th"), { scope: "col", textContent: seriesName(p, term), title: s }));
      if (p.series) head.append(Object.assign(document.createElement("th"), { scope: "col", textContent: words.total }));
      const body = table.createTBody();
      for (const [c, term] of p.cats) {
        const row = body.insertRow();
        const th = Object.assign(document.createElement("th"), { scope: "row" });
        th.append(...R.cell(term).childNodes);
        row.append(th);
        let total = 0;
        for (const s of p.names.keys()) {
          const n = p.get(c, s);
          total += n;
          row.append(Object.assign(document.createElement("td"), { className: "number", textContent: n ? R.numbers.format(n) : "" }));
        }
        if (p.series) row.append(Object.assign(document.createElement("td"), { className: "number total", textContent: R.numbers.format(total) }));
      }
      const scroller = Object.assign(document.createElement("div"), { className: "label-table-scroll" });
      scroller.append(table);
      return scroller;
    }
  }

  class Chart extends Plugin {
    constructor(yasr) {
      super(yasr, words.chart, 4, "M1 15h14M3 15V8h3v7M7 15V3h3v12M11 15v-5h3v5");
    }

    render(p) {
      const figure = Object.assign(document.createElement("figure"), { className: "bar-chart" });
      const caption = document.createElement("figcaption");
      caption.textContent = words.chartCaption.replace("{value}", p.value).replace("{rows}", p.category);
      figure.append(caption);
      const keys = [...p.names.keys()];
      if (p.series) {
        const legend = Object.assign(document.createElement("ul"), { className: "legend" });
        keys.forEach((s, i) => {
          const li = document.createElement("li");
          li.append(Object.assign(document.createElement("span"), { className: `swatch series-${i % COLOURS}` }), seriesName(p, p.names.get(s)));
          legend.append(li);
        });
        figure.append(legend);
      }
      const totals = [...p.cats.keys()].map((c) => keys.reduce((sum, s) => sum + Math.max(0, p.get(c, s)), 0));
      const max = Math.max(...totals, 1);
      const list = Object.assign(document.createElement("ol"), { className: "bars" });
      [...p.cats].forEach(([c, term], row) => {
        const li = document.createElement("li");
        const name = Object.assign(document.createElement("span"), { className: "bar-label" });
        name.append(...R.cell(term).childNodes);
        const bar = Object.assign(document.createElement("span"), { className: "bar" });
        keys.forEach((s, i) => {
          const n = Math.max(0, p.get(c, s));
          if (!n) return;
          const segment = Object.assign(document.createElement("span"), { className: `segment series-${i % COLOURS}` });
          segment.style.width = `${(100 * n) / max}%`;
          segment.title = `${seriesName(p, p.names.get(s))}: ${R.numbers.format(n)}`;
          bar.append(segment);
        });
        const total = Object.assign(document.createElement("span"), { className: "bar-value", textContent: R.numbers.format(totals[row]) });
        li.append(name, bar, total);
        list.append(li);
      });
      figure.append(list);
      return figure;
    }
  }

  window.SerCharts = { Pivot, Chart, pivot };
})();
