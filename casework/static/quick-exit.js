// Quick exit: leave at once and keep this page out of the back button's history.
document.addEventListener("DOMContentLoaded", function () {
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  // Pressing Escape twice quickly also leaves.
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - last < 800) { leave(); }
    last = now;
  });
});
