// Enhancement only (the form works without it): search-as-you-type. As the
// reader types, the query box's list offers completions from the index
// (headline words, names, outlets) asked of /api/suggest, the server's own
// address (no other host: the Content-Security-Policy allows only 'self').
// A reply that comes back after a newer keystroke's is dropped.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!box || !list || !box.dataset.suggest || !window.fetch) { return; }
  var form = box.form;
  var token = form && form.elements.token ? form.elements.token.value : "";
  var asked = 0;
  var timer = null;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    var prefix = box.value;
    if (prefix.trim().length < 2) { list.replaceChildren(); return; }
    timer = setTimeout(function () {
      var mine = ++asked;
      var url = box.dataset.suggest + "?size=8&q=" + encodeURIComponent(prefix) +
        (token ? "&token=" + encodeURIComponent(token) : "");
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : { suggestions: [] }; })
        .then(function (data) {
          if (mine !== asked) { return; }
          list.replaceChildren.apply(list, (data.suggestions || []).map(function (s) {
            var option = document.createElement("option");
            option.value = s.text;  // text, never markup: a headline's words are untrusted
            return option;
          }));
        })
        .catch(function () { /* no suggestions: the box still searches */ });
    }, 80);
  });
});
