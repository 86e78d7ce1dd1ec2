// Enhancement only (the pages work without it): a search form whose zone is
// empty asks for dates in the reader's own zone, as the browser knows it.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("tz");
  if (!field || field.value) { return; }
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== "UTC") { field.value = zone; }
  } catch (e) { /* an old browser: UTC, as without scripts */ }
});
