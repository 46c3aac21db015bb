// Search selects (cppcc.widgets.SearchSelect / SearchSelectMultiple): the server renders a plain
// input holding the chosen id(s) and their labels; this turns it into a search box that asks
// /search/<kind>/?q= (JSON, at most 20 rows of what the person may see) as the person types.
// No inline script or style: the CSP allows only files from this server.
(function () {
  "use strict";
  // A page whose several forms each list this file in their media loads it more than once.
  if (window.cppccSearchSelect) return;
  window.cppccSearchSelect = true;

  var DELAY = 200;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function withQuery(url, q) {
    return url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(q);
  }

  function setup(box) {
    if (box.dataset.ready || !box.dataset.url) return;
    box.dataset.ready = "1";
    var multiple = box.dataset.searchSelect === "multiple";
    var name = box.dataset.name;
    var valueInput = box.querySelector("[data-search-value]");
    var fallback = box.querySelector("[data-search-fallback]");
    var chosen = box.querySelector("[data-search-chosen]");
    var label = box.querySelector("[data-search-label]");

    var input = el("input", (valueInput || fallback).className);
    input.type = "search";
    input.autocomplete = "off";
    input.placeholder = box.dataset.placeholder || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-label", (valueInput || fallback).getAttribute("aria-label") || box.dataset.placeholder || "");
    input.dataset.searchInput = "";
    // A disabled field (a town clerk's studio town) is shown, not changed, and not sent.
    input.disabled = !!(valueInput || fallback).disabled;
    var list = el("div", "list-group shadow-sm position-absolute top-100 start-0 z-3 d-none");
    list.setAttribute("role", "listbox");
    box.classList.add("position-relative");

    if (multiple) {
      // The text box of ids is for pages without JavaScript; the search replaces it. Ids it
      // still holds (say, one refused as 无效的选择) stay as the typed text of the search.
      input.id = fallback.id;
      input.value = "";
      fallback.remove();
    } else {
      valueInput.type = "hidden";
      input.value = valueInput.dataset.label || "";
      if (label) label.remove();
      if (valueInput.id) {
        input.id = valueInput.id + "_search";
        var forLabel = document.querySelector('label[for="' + valueInput.id + '"]');
        if (forLabel) forLabel.htmlFor = input.id;
      }
    }
    box.appendChild(input);
    box.appendChild(list);

    function close() {
      list.classList.add("d-none");
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
    }

    function pick(row) {
      if (multiple) {
        var existing = chosen.querySelector('input[value="' + row.id + '"]');
        if (existing) {
          existing.checked = true;
        } else {
          var wrap = el("div", "form-check");
          var check = el("input", "form-check-input");
          check.type = "checkbox";
          check.name = name;
          check.value = row.id;
          check.checked = true;
          check.id = input.id + "_" + row.id;
          var text = el("label", "form-check-label", row.label);
          text.htmlFor = check.id;
          wrap.appendChild(check);
          wrap.appendChild(text);
          chosen.appendChild(wrap);
        }
        input.value = "";
      } else {
        valueInput.value = row.id;
        input.value = row.label;
      }
      close();
      box.dispatchEvent(new CustomEvent("search-select:change", { bubbles: true, detail: row }));
    }

    function show(data) {
      list.replaceChildren();
      if (!multiple && box.dataset.empty) {
        var all = el("button", "list-group-item list-group-item-action small text-muted", box.dataset.empty);
        all.type = "button";
        all.addEventListener("click", function () {
          valueInput.value = "";
          input.value = "";
          close();
        });
        list.appendChild(all);
      }
      data.results.forEach(function (row) {
        var button = el("button", "list-group-item list-group-item-action small");
        button.type = "button";
        button.setAttribute("role", "option");
        button.dataset.searchResult = row.id;
        button.appendChild(document.createTextNode(row.label));
        if (row.detail) button.appendChild(el("span", "text-muted ms-2", row.detail));
        button.addEventListener("click", function () { pick(row); });
        list.appendChild(button);
      });
      if (!data.results.length) list.appendChild(el("div", "list-group-item small text-muted", box.dataset.none || ""));
      if (data.more) list.appendChild(el("div", "list-group-item small text-muted", data.more));
      list.classList.remove("d-none");
      input.setAttribute("aria-expanded", "true");
    }

    var timer = null;
    var asked = 0;
    function ask() {
      var mine = ++asked;
      fetch(withQuery(box.dataset.url, input.value.trim()), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === asked) show(data); })
        .catch(function () { /* the typed text stays; the form still submits */ });
    }

    input.addEventListener("input", function () {
      if (!multiple && input.value.trim() === "") valueInput.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("focus", function () {
      if (list.classList.contains("d-none")) ask();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
      if (event.key === "Enter" && !list.classList.contains("d-none")) {
        // Enter picks the first result instead of submitting half a choice.
        var first = list.querySelector("[data-search-result]");
        if (first) {
          event.preventDefault();
          first.click();
        }
      }
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) close();
    });
  }

  function setupAll(root) {
    (root || document).querySelectorAll("[data-search-select]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupAll(); });
  } else {
    setupAll();
  }
  document.addEventListener("htmx:afterSwap", function (event) { setupAll(event.target); });
})();
