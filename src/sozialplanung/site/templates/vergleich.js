/* District comparison of the Sozialbericht: shows the chosen districts and the city in the table of
   all districts. Written by sozialplanung (site/comparison.py); without it the page shows every
   district. Loads nothing. */
(function () {
  "use strict";
  var form = document.getElementById("vergleichsformular");
  var status = document.getElementById("vergleichsstatus");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-kennziffer]"));
  var CITY = "0";

  function nameOf(code) {
    var option = selects[0].querySelector('option[value="' + code + '"]');
    return option ? option.textContent : code;
  }

  function listed(names) {
    if (names.length < 2) return names.join("");
    return names.slice(0, -1).join(", ") + " und " + names[names.length - 1];
  }

  function chosen() {
    var codes = [];
    selects.forEach(function (select) {
      if (select.value && codes.indexOf(select.value) < 0) codes.push(select.value);
    });
    return codes;
  }

  function show() {
    var codes = chosen();
    rows.forEach(function (row) {
      var code = row.getAttribute("data-kennziffer");
      row.hidden = codes.length > 0 && code !== CITY && codes.indexOf(code) < 0;
    });
    status.textContent = codes.length === 0
      ? "Die Tabelle zeigt alle Stadtbezirke."
      : "Die Tabelle zeigt " + listed(codes.map(nameOf)) + " und die Gesamtstadt.";
  }

  document.getElementById("aehnliche").addEventListener("click", function () {
    var first = selects[0].selectedOptions[0];
    if (!first || !first.value) {
      status.textContent = "Bitte wählen Sie zuerst Stadtbezirk 1.";
      selects[0].focus();
      return;
    }
    var similar = (first.getAttribute("data-aehnlich") || "").split(" ").filter(Boolean);
    if (similar.length === 0) {
      status.textContent = nameOf(first.value) + " ist nicht im Sozialindex; ähnliche Stadtbezirke lassen sich nicht bestimmen.";
      return;
    }
    selects.slice(1).forEach(function (select, position) { select.value = similar[position] || ""; });
    show();
  });
  document.getElementById("alle").addEventListener("click", function () {
    selects.forEach(function (select) { select.value = ""; });
    show();
  });
  selects.forEach(function (select) { select.addEventListener("change", show); });
  form.hidden = false;
})();
