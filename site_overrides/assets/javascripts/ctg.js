/* Fiches action index: filter rows by thématique, pilote and partenaire.
   The filters live in the address (fiches-action/?pilote=le%20Département): a filtered list can be
   shared, and the browser's back button goes back to the previous choice. */
(function () {
  "use strict";
  function init() {
    var form = document.getElementById("ctg-filtres");
    var table = document.getElementById("ctg-fiches");
    if (!form || !table) { return; }
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr.ctg-fiche"));
    var count = document.getElementById("ctg-compte");
    var selects = {
      thematique: document.getElementById("filtre-thematique"),
      pilote: document.getElementById("filtre-pilote"),
      partenaire: document.getElementById("filtre-partenaire")
    };
    var params = new URLSearchParams(window.location.search);
    Object.keys(selects).forEach(function (key) {
      var wanted = params.get(key);
      if (wanted !== null) { selects[key].value = wanted; }
      selects[key].addEventListener("change", function () { apply(); remember(); });
    });
    function remember() {
      var query = new URLSearchParams();
      Object.keys(selects).forEach(function (key) {
        if (selects[key].value) { query.set(key, selects[key].value); }
      });
      var text = query.toString();
      history.pushState(null, "", window.location.pathname + (text ? "?" + text : "") + window.location.hash);
    }
    window.addEventListener("popstate", function () {
      var now = new URLSearchParams(window.location.search);
      Object.keys(selects).forEach(function (key) { selects[key].value = now.get(key) || ""; });
      apply();
    });
    function has(list, value) {
      return !value || (list ? list.split("|") : []).indexOf(value) >= 0;
    }
    function apply() {
      var theme = selects.thematique.value, pilote = selects.pilote.value, partenaire = selects.partenaire.value;
      var shown = 0;
      rows.forEach(function (row) {
        var ok = (!theme || row.dataset.thematique === theme) &&
          has(row.dataset.pilotes, pilote) && has(row.dataset.partenaires, partenaire);
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = shown + (shown > 1 ? " fiches action." : " fiche action.");
    }
    apply();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* A table wider than the screen scrolls inside its frame: the frame takes the keyboard focus, so it
   can be scrolled without a mouse (WCAG 2.1.1). Material wraps the tables once the page is shown. */
(function () {
  "use strict";
  function focusable() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Tableau (défilement horizontal)");
      }
    });
  }
  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(function () { focusable(); });
  }
  window.addEventListener("resize", focusable);
  window.addEventListener("load", focusable);
})();
