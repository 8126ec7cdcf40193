/* Kennisbank Wijkenaanpak — small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  /* Zoektips: a fallback for browsers without the popover attribute. */
  function popoverFallback() {
    var help = document.getElementById("zoekhulp");
    if (!help || typeof help.showPopover === "function") { return; }
    help.hidden = true;
    document.querySelectorAll("[popovertarget='zoekhulp']").forEach(function (button) {
      button.addEventListener("click", function () {
        var hide = button.getAttribute("popovertargetaction") === "hide";
        help.hidden = hide ? true : !help.hidden;
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { help.hidden = true; }
    });
  }

  /* Citeer: a copy button for the citation text. */
  function copyButtons() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".copy-status");
      if (!source || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value || source.textContent).then(function () {
          if (status) { status.textContent = "Gekopieerd."; }
        }, function () {
          source.select();
          if (status) { status.textContent = "Selecteer de tekst en kopieer met Ctrl+C."; }
        });
      });
    });
  }

  /* A passage opened by its anchor (#p-…) is scrolled into view and focusable. */
  function focusTarget() {
    if (!location.hash || location.hash.indexOf("#p-") !== 0) { return; }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: false });
    }
  }

  /* Filters of the search page: open beside the results on a wide screen; on a phone
     they stay behind the "Filters" button so the results come first. */
  function filtersByWidth() {
    var filters = document.getElementById("filters");
    if (!filters || !window.matchMedia) { return; }
    var wide = window.matchMedia("(min-width: 50.01rem)");
    filters.open = wide.matches;
    wide.addEventListener("change", function (event) { filters.open = event.matches; });
  }

  /* "Toon alle …": a box that narrows a long facet list as you type. */
  function facetFilters() {
    document.querySelectorAll("input[data-filter-list]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-filter-list"));
      if (!list) { return; }
      input.parentNode.hidden = false;
      input.addEventListener("input", function () {
        var needle = input.value.trim().toLocaleLowerCase("nl");
        list.querySelectorAll("li").forEach(function (item) {
          var label = item.querySelector(".label");
          var text = (label ? label.textContent : item.textContent).toLocaleLowerCase("nl");
          item.hidden = needle !== "" && text.indexOf(needle) === -1;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    filtersByWidth();
    facetFilters();
    popoverFallback();
    copyButtons();
    focusTarget();
  });
}());
