// The secret code: a Show/Hide button, and the code typed in groups of four.
// Without JavaScript the sign-in field is plain text and the receipt shows the code in full.
document.addEventListener("DOMContentLoaded", function () {
  // A button after `element` whose label says what pressing it does.
  function toggle(element, shown, labels, show, hide) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary reveal";
    button.setAttribute("aria-controls", element.id);
    function render() { button.textContent = shown ? labels.hide : labels.show; }
    button.addEventListener("click", function () {
      shown = !shown;
      if (shown) { show(); } else { hide(); }
      render();
    });
    render();
    element.insertAdjacentElement("afterend", button);
  }

  document.querySelectorAll("input[data-secret-input]").forEach(function (input) {
    input.type = "password";
    toggle(input, false, input.dataset,
      function () { input.type = "text"; },
      function () { input.type = "password"; });
    input.addEventListener("input", function () {
      var value = input.value;
      if (input.selectionStart !== value.length) { return; }  // an edit in the middle: leave it
      var digits = value.replace(/[\s\u2010-\u2015-]/g, "");
      if (!/^\p{Nd}*$/u.test(digits)) { return; }  // something else: the server will say
      input.value = (digits.match(/.{1,4}/g) || []).join(" ");
    });
  });

  // On the receipt the code is shown; the worker can hide it from someone looking on.
  document.querySelectorAll("[data-secret]").forEach(function (code) {
    var value = code.textContent;
    toggle(code, true, code.dataset,
      function () { code.textContent = value; },
      function () { code.textContent = "•••• •••• •••• ••••"; });
  });
});
