/* Search of the Sozialbericht: runs in the page, reads the index that assets/suche-index.js
   defines (window.SOZIALBERICHT_SUCHINDEX) and, for the results it shows, the sections' text of
   their pages (assets/suchtexte/<page>.js, each adding to window.SOZIALBERICHT_SUCHTEXTE); loads
   nothing else. Written by sozialplanung (site/search.py builds the index); the same functions run
   under Node.js in the project's tests. */
(function (root) {
  "use strict";

  var SNIPPET_WORDS = 14; // words before and after the first hit
  var PREFIX_MIN = 3;    // a word still being typed matches forms that begin with it from this length
  var ENDING_MAX = 3;    // letters of an ending a query word may have beyond a form of the pages

  function fold(word) {
    return word.toLocaleLowerCase("de").replace(/ß/g, "ss").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function queryWords(query) {
    return (query.match(/[\p{L}]+/gu) || []).map(fold);
  }

  // The stems a query word stands for: its own form, the same with ae/oe/ue read as umlauts; else
  // the forms that begin with it (a word being typed); else the forms it begins with, short of an
  // ending of up to three letters ("Richtsbergs" where the pages write "Richtsberg").
  function stemsOf(index, word) {
    var candidates = [word, word.replace(/ae/g, "a").replace(/oe/g, "o").replace(/ue/g, "u")];
    var stems = {};
    candidates.forEach(function (form) {
      if (Object.prototype.hasOwnProperty.call(index.formen, form)) stems[index.formen[form]] = true;
    });
    if (Object.keys(stems).length === 0) {
      candidates.forEach(function (form) {
        if (form.length < PREFIX_MIN) return;
        Object.keys(index.formen).forEach(function (known) {
          if (known.lastIndexOf(form, 0) === 0) stems[index.formen[known]] = true;
        });
      });
    }
    if (Object.keys(stems).length === 0) {
      candidates.forEach(function (form) {
        for (var cut = 1; cut <= ENDING_MAX && form.length - cut >= PREFIX_MIN + 1; cut++) {
          var shorter = form.slice(0, form.length - cut);
          if (Object.prototype.hasOwnProperty.call(index.formen, shorter)) stems[index.formen[shorter]] = true;
        }
      });
    }
    return Object.keys(stems).map(Number);
  }

  function sectionsWith(index, stems) {
    var found = {};
    stems.forEach(function (stem) {
      (index.treffer[stem] || []).forEach(function (section) { found[section] = true; });
    });
    return found;
  }

  // The words around the first hit in a section's text, the hits marked.
  function snippet(index, text, stems) {
    var wanted = {};
    stems.forEach(function (stem) { wanted[stem] = true; });
    var tokens = text.split(/\s+/);
    var first = -1;
    var marked = tokens.map(function (token, position) {
      var core = (token.match(/[\p{L}]+(?:-[\p{L}]+)*/u) || [""])[0];
      var hit = core && wanted[index.formen[fold(core)]];
      if (hit && first < 0) first = position;
      return { text: token, hit: Boolean(hit) };
    });
    if (first < 0) first = 0;
    var start = Math.max(0, first - SNIPPET_WORDS);
    var end = Math.min(marked.length, first + SNIPPET_WORDS + 1);
    return { parts: marked.slice(start, end), before: start > 0, after: end < marked.length };
  }

  // Sections holding every word of the query (each word by any of its forms), those whose heading
  // holds them first, then in the order of the report; each with the stems its excerpt marks.
  function search(index, query) {
    var terms = queryWords(query);
    if (terms.length === 0) return [];
    var perTerm = terms.map(function (term) { return stemsOf(index, term); });
    if (perTerm.some(function (stems) { return stems.length === 0; })) return [];
    var common = null;
    perTerm.forEach(function (stems) {
      var found = sectionsWith(index, stems);
      common = common === null ? found : Object.keys(common).reduce(function (kept, section) {
        if (found[section]) kept[section] = true;
        return kept;
      }, {});
    });
    var allStems = [].concat.apply([], perTerm);
    var results = Object.keys(common).map(Number).map(function (position) {
      var section = index.abschnitte[position];
      var page = index.seiten[section[0]];
      var headingWords = queryWords(section[2]).map(function (w) { return index.formen[w]; });
      var inHeading = perTerm.filter(function (stems) {
        return stems.some(function (stem) { return headingWords.indexOf(stem) >= 0; });
      }).length;
      return {
        position: position,
        file: page[0],
        href: page[0] + (section[1] ? "#" + section[1] : ""),
        page: page[1],
        heading: section[2],
        inHeading: inHeading,
        stems: allStems,
      };
    });
    results.sort(function (a, b) { return b.inHeading - a.inHeading || a.position - b.position; });
    return results;
  }

  // The text of a result's section, from its page's texts (null while they are not loaded).
  function sectionText(index, texts, result) {
    var page = texts[result.file];
    if (!page) return null;
    var first = index.abschnitte[result.position][0];
    var position = result.position;
    while (position > 0 && index.abschnitte[position - 1][0] === first) position -= 1;
    return page[result.position - position];
  }

  // Loads the texts of ``files`` not yet loaded, each by a script element (which works from disk,
  // where fetch does not), then calls ``done`` with all texts, also if one of them failed to load.
  function loadTexts(window, index, files, done) {
    var texts = window.SOZIALBERICHT_SUCHTEXTE = window.SOZIALBERICHT_SUCHTEXTE || {};
    var missing = files.filter(function (file, position) {
      return !texts[file] && files.indexOf(file) === position;
    });
    var waiting = missing.length;
    if (waiting === 0) {
      done(texts);
      return;
    }
    missing.forEach(function (file) {
      var script = window.document.createElement("script");
      script.src = index.texte + file.replace(/\.html$/, ".js");
      script.onload = script.onerror = function () {
        waiting -= 1;
        if (waiting === 0) done(texts);
      };
      window.document.head.appendChild(script);
    });
  }

  // Lists the results (links to their sections) at once; returns their list items, to which the
  // excerpts are added once the texts of their pages have loaded.
  function show(document, index, query, results) {
    var list = document.getElementById("suchergebnisse");
    var status = document.getElementById("suchstatus");
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!query.trim()) {
      status.textContent = "Bitte geben Sie einen Suchbegriff ein.";
      return [];
    }
    status.textContent = results.length === 0
      ? "Keine Treffer für „" + query.trim() + "“."
      : (results.length === 1 ? "1 Treffer" : results.length + " Treffer") + " für „" + query.trim() + "“" +
        (results.length > index.gezeigt ? ", die ersten " + index.gezeigt + " werden gezeigt." : ".");
    return results.slice(0, index.gezeigt).map(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.href;
      link.textContent = result.heading === result.page ? result.page : result.page + ": " + result.heading;
      item.appendChild(link);
      list.appendChild(item);
      return item;
    });
  }

  function addExcerpt(document, index, texts, result, item) {
    var found = sectionText(index, texts, result);
    if (!found) return;
    var excerpt = snippet(index, found, result.stems);
    var text = document.createElement("p");
    if (excerpt.before) text.appendChild(document.createTextNode("… "));
    excerpt.parts.forEach(function (part, position) {
      if (position > 0) text.appendChild(document.createTextNode(" "));
      if (part.hit) {
        var mark = document.createElement("mark");
        mark.textContent = part.text;
        text.appendChild(mark);
      } else {
        text.appendChild(document.createTextNode(part.text));
      }
    });
    if (excerpt.after) text.appendChild(document.createTextNode(" …"));
    item.appendChild(text);
  }

  // Searches and lists the results at once, then adds their excerpts when the texts of their pages
  // have loaded (the list is aria-busy meanwhile); a query asked while an earlier one still waits
  // for its texts wins.
  var asked = 0;
  function answer(window, index, query) {
    var mine = ++asked;
    var document = window.document;
    var list = document.getElementById("suchergebnisse");
    var results = query.trim() ? search(index, query) : [];
    var items = show(document, index, query, results);
    list.setAttribute("aria-busy", "true");
    var files = results.slice(0, index.gezeigt).map(function (result) { return result.file; });
    loadTexts(window, index, files, function (texts) {
      if (mine !== asked) return;
      items.forEach(function (item, position) { addExcerpt(document, index, texts, results[position], item); });
      list.setAttribute("aria-busy", "false");
    });
  }

  function start(window) {
    var document = window.document;
    var index = window.SOZIALBERICHT_SUCHINDEX;
    var form = document.getElementById("suchformular");
    var field = document.getElementById("suchbegriff");
    if (!index || !form || !field) return;
    var query = new window.URLSearchParams(window.location.search).get("q") || "";
    field.value = query;
    if (query) answer(window, index, query);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      answer(window, index, field.value);
      try {
        window.history.replaceState(null, "", "?q=" + encodeURIComponent(field.value));
      } catch (error) {
        // some browsers refuse to change the address of a page opened from disk: the results stand
      }
    });
  }

  var api = { fold: fold, search: search, stemsOf: stemsOf, sectionText: sectionText, snippet: snippet };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.SozialberichtSuche = api;
    start(root);
  }
})(typeof window !== "undefined" ? window : this);
