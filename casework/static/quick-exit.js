// Quick exit: leave at once and keep this page out of the back button's history. The link goes
// through /exit, which ends the follow-up session and clears this site's data in the browser.
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
// A page brought back from the back/forward cache was not asked of the server again: ask now,
// so a page whose session ended (quick exit, time-out) is not shown from memory.
window.addEventListener("pageshow", function (event) {
  if (event.persisted) { window.location.reload(); }
});
