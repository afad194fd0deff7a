// Autocomplete for the search boxes (input[data-autocomplete]): as the user types, ask /search for
// JSON and show the names as a list that the keyboard can walk (the WAI-ARIA combobox pattern).
// Plain JavaScript, no libraries, nothing from another site. Every name reaches the page through
// textContent or attributes set one by one, never through innerHTML.
(function () {
  "use strict";

  const DELAY_MS = 150; // wait for a pause in typing before asking
  const LIMIT = 8;
  const MIN_LENGTH = 2;
  let boxes = 0;

  function attach(input) {
    const form = input.form;
    if (!form) return;
    const list = document.createElement("ul");
    list.id = "search-suggestions-" + (++boxes);
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    form.classList.add("search-combobox");
    input.insertAdjacentElement("afterend", list);

    let timer = null;
    let controller = null;
    let results = [];
    let active = -1;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      results = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      list.replaceChildren();
      results = found;
      active = -1;
      if (!found.length) { close(); return; }
      found.forEach(function (item, i) {
        const option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const link = document.createElement("a");
        link.href = item.href;
        link.tabIndex = -1;
        link.textContent = item.name;
        option.appendChild(link);
        if (item.types && item.types.length) {
          const kind = document.createElement("span");
          kind.className = "search-kind";
          kind.textContent = item.types.map(function (t) { return t.name; }).join(", ");
          option.appendChild(kind);
        }
        if (item.matched) {
          const matched = document.createElement("span");
          matched.className = "search-kind";
          matched.textContent = "\u201c" + item.matched + "\u201d";
          option.appendChild(matched);
        }
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function ask() {
      const text = input.value;
      if (text.trim().length < MIN_LENGTH) { close(); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      const params = new URLSearchParams({ q: text, format: "json", limit: String(LIMIT) });
      const type = form.querySelector("select[name=type]");
      if (type && type.value) params.set("type", type.value);
      fetch("/search?" + params.toString(), { headers: { Accept: "application/json" }, signal: controller.signal })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) { if (input.value === text) show(body.results || []); })
        .catch(function (error) { if (error.name !== "AbortError") close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        let next = active + step; // -1 is the input itself, between the last and the first suggestion
        if (next >= results.length) next = -1;
        if (next < -1) next = results.length - 1;
        highlight(next);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.assign(results[active].href);
      } else if (event.key === "Escape") {
        event.preventDefault(); // close the list but keep the text; a second Escape clears it
        close();
      }
    });
    // A click on a suggestion must land before the list closes: keep the focus in the input.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(attach);
})();
