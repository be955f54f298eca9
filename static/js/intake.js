/*
 * Intake form helpers (dossiers/templates/dossiers/dossier_intake.html). No framework, no CDN.
 *
 * 1. The procedure picker: the <select> stays the no-JS fallback; with JS it becomes an ARIA
 *    combobox fed by the procedure-picker JSON (server-side search ignores case and accents).
 *    Arrow keys move, Enter chooses (and reloads the form with that procedure), Escape closes.
 * 2. After a failed submit, focus the first field in error; tick rows highlight as received.
 */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function setupPicker(box) {
    var select = box.querySelector("select");
    var form = box.closest("form");
    var fallback = box.querySelector("[data-picker-fallback]");
    var label = form.querySelector("label[for='" + select.id + "']");
    if (!select || !window.fetch) { return; }

    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    var input = document.createElement("input");
    input.type = "text";
    input.id = "procedure-search";
    input.className = "form-control form-control-sm";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "procedure-listbox");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    input.placeholder = box.dataset.hint || "";
    var list = document.createElement("ul");
    list.id = "procedure-listbox";
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    if (label) {
      label.htmlFor = input.id;
      list.setAttribute("aria-labelledby", label.id || "");
    }
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    box.insertBefore(wrapper, select);
    select.hidden = true;
    select.tabIndex = -1;
    if (fallback) { fallback.hidden = true; }

    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.value) { input.value = chosen.text; }
    if (select.hasAttribute("autofocus")) { input.focus(); }

    var results = [];
    var active = -1;
    var requestNumber = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function render() {
      list.innerHTML = "";
      active = -1;
      if (!results.length) {
        var empty = document.createElement("li");
        empty.className = "empty";
        empty.textContent = box.dataset.empty || "";
        list.appendChild(empty);
      }
      results.forEach(function (row, i) {
        var item = document.createElement("li");
        item.id = "procedure-option-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.index = String(i);
        var time = document.createElement("span");
        time.className = "time";
        time.textContent = row.processing_time;
        var code = document.createElement("span");
        code.className = "code";
        code.textContent = row.code;
        item.appendChild(time);
        item.appendChild(code);
        item.appendChild(document.createTextNode(row.name));
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function choose(index) {
      var row = results[index];
      if (!row) { return; }
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(row.id); });
      if (!option) {
        option = new Option(row.code + " · " + row.name, String(row.id));
        select.add(option);
      }
      select.value = String(row.id);
      input.value = option.text;
      close();
      form.submit();
    }

    var search = debounce(function (text) {
      var mine = ++requestNumber;
      var url = box.dataset.url + "?q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== requestNumber) { return; }  // an older answer arriving late
          results = data.results || [];
          render();
          if (results.length) { highlight(0); }
        })
        .catch(function () { /* offline: the officer can still reload with the fallback */ });
    }, 120);

    input.addEventListener("input", function () { search(input.value.trim()); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(input.value.trim()); } else { highlight(active + 1); }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!list.hidden) { highlight(active - 1); }
      } else if (event.key === "Enter") {
        event.preventDefault();  // never submit a half-typed name
        if (!list.hidden && active >= 0) { choose(active); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    list.addEventListener("mousedown", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) {
        event.preventDefault();
        choose(Number(item.dataset.index));
      }
    });
  }

  function setupIntakeForm(form) {
    form.querySelectorAll(".components-table input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", function () {
        box.closest("tr").classList.toggle("is-received", box.checked);
      });
    });
    if (document.getElementById("intake-errors")) {
      var first = form.querySelector(".is-invalid, .has-error input, .has-error select")
        || form.querySelector(".components-table input[type=checkbox]");
      if (first) { first.focus(); }
    }
  }

  document.querySelectorAll("[data-picker]").forEach(setupPicker);
  var intake = document.getElementById("intake-form");
  if (intake) { setupIntakeForm(intake); }
})();
