/* Fiches action index: filter rows by thématique, pilote and partenaire.
   Filters can be preset from the address: fiches-action/?pilote=le%20Département */
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
      selects[key].addEventListener("change", apply);
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
