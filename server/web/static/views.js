// Sorting and filtering of a view's table (table.sortable), on top of a page that works without it:
// without this script the table is a plain table in the order of the saved query.
"use strict";
(function () {
  function text(row, index) { return row.cells[index] ? row.cells[index].textContent.trim() : ""; }
  function sortBy(table, index, header) {
    const body = table.tBodies[0];
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    const rows = Array.from(body.rows);
    rows.sort(function (a, b) {
      const x = text(a, index), y = text(b, index);
      const order = x.localeCompare(y, document.documentElement.lang, { numeric: true, sensitivity: "base" });
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.from(table.tHead.rows[0].cells).forEach(function (header, index) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = header.textContent;
      header.textContent = "";
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, header); });
    });
  });
  document.querySelectorAll("input[data-filters]").forEach(function (input) {
    const table = document.getElementById(input.getAttribute("data-filters"));
    if (!table) { return; }
    input.closest(".table-filter").hidden = false;
    input.addEventListener("input", function () {
      const words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
      Array.from(table.tBodies[0].rows).forEach(function (row) {
        const line = row.textContent.toLocaleLowerCase();
        row.hidden = !words.every(function (w) { return line.includes(w); });
      });
    });
  });
}());
