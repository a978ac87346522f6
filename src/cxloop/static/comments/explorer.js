/* Relabelling in the comment explorer without a full reload. The form works on its own (POST,
   then a redirect back to the explorer); this script sends the same form with fetch and swaps
   in the comment, the counts and the message from the page the server answers with. */
(function () {
  "use strict";

  function swap(selector, fresh, current) {
    var next = fresh.querySelector(selector);
    var now = current.querySelector(selector);
    if (next && now) now.replaceWith(next);
  }

  function showMessage(item, text, isError) {
    var note = document.createElement("p");
    note.className = isError ? "error-message tx-inline-message" : "muted tx-inline-message";
    note.setAttribute("role", isError ? "alert" : "status");
    note.textContent = text;
    var old = item.querySelector(".tx-inline-message");
    if (old) old.remove();
    item.appendChild(note);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("tx-relabel-form")) return;
    event.preventDefault();
    var item = document.getElementById("c-" + form.dataset.comment);
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (!response.ok) {
          var problem = fresh.querySelector(".error-message");
          showMessage(item, problem ? problem.textContent.trim() : "Could not save.", true);
          if (button) button.disabled = false;
          return;
        }
        var updated = fresh.getElementById(item.id);
        swap("#tx-count", fresh, document);
        if (updated) {
          item.replaceWith(updated);
          showMessage(updated, "Saved.", false);
        } else {
          showMessage(item, "Saved. It no longer matches these filters.", false);
          var open = item.querySelector("details");
          if (open) open.open = false;
          if (button) button.disabled = false;
        }
      });
    }).catch(function () {
      form.submit();  // the network failed: fall back to the plain form
    });
  });
})();
