// The agency type-ahead on the "Where" step: as the worker types, the origin country's licensed
// agencies (name and licence number, the registry's public facts) fill the field's <datalist>;
// picking one fills the licence number too. Without JavaScript, "Find my agency" does the same.
document.addEventListener("DOMContentLoaded", function () {
  var name = document.getElementById("agency_name");
  var list = document.getElementById("agency-suggestions");
  var country = document.getElementById("origin_country");
  var licence = document.getElementById("agency_licence_number");
  var token = name.form && name.form.querySelector("input[name=csrf_token]");
  if (!name || !list || !country || !licence || !window.fetch) { return; }
  var timer = 0, asked = "", known = {}, filled = "";
  function ask() {
    var typed = name.value.trim(), key = country.value + "|" + typed;
    if (typed.length < 3 || !country.value || key === asked) { return; }
    asked = key;
    // Posted, so what the worker types never goes into a URL.
    var body = new URLSearchParams({ country: country.value, q: typed });
    fetch(name.getAttribute("data-suggest"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" }
    })
      .then(function (response) { return response.ok ? response.json() : { agencies: [] }; })
      .then(function (data) {
        list.textContent = "";
        known = {};
        data.agencies.forEach(function (agency) {
          var option = document.createElement("option");
          option.value = agency.name;
          option.label = agency.licence_number;
          list.appendChild(option);
          // Two agencies of one name: the worker types the licence number themselves.
          known[agency.name] = agency.name in known ? "" : agency.licence_number;
        });
      })
      .catch(function () { asked = ""; });
  }
  name.addEventListener("input", function () {
    var number = Object.prototype.hasOwnProperty.call(known, name.value) ? known[name.value] : "";
    if (number && (!licence.value || licence.value === filled)) {
      licence.value = filled = number;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
});
