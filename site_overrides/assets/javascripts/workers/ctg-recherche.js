/* The site's search worker (next to Material's, whose paths it resolves from its own place): Material's own (its URL comes as « ?worker= », set by main.html), with
   every indexed word also indexed without its accents, so that « creche » finds « crèche » and
   « Bethune » finds « Béthune » (a query with accents still matches the accented word). */
(function () {
  "use strict";
  var worker = new URL(self.location.href).searchParams.get("worker");
  if (!worker || new URL(worker, self.location.href).origin !== self.location.origin) {
    throw new Error("ctg-recherche.js : worker de recherche absent ou d'une autre origine");
  }
  importScripts(worker);
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/œ/g, "oe").replace(/æ/g, "ae");
  }
  var run = self.lunr.Pipeline.prototype.run;
  self.lunr.Pipeline.prototype.run = function (tokens) {
    var out = run.call(this, tokens);
    var extra = [];
    out.forEach(function (token) {
      var text = token.toString();
      var folded = fold(text);
      if (folded !== text) {
        extra.push(token.clone(function () { return folded; }));
      }
    });
    return out.concat(extra);
  };
})();
