/* A survey link's page: the score is recorded at once (a POST: mail scanners' GETs record
   nothing), and the form, which would otherwise send the score with the comment, then only
   sends the comment. Without scripts, the form's button records all of it. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (!form || !window.fetch) return;
  var status = document.getElementById("survey-status");
  var error = document.getElementById("survey-error");
  var data = new FormData();
  data.append("score", form.elements.score.value);
  fetch(form.action, {
    method: "POST", credentials: "same-origin", body: data,
    headers: {"Accept": "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value}
  }).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (response.ok) {
        form.action = form.getAttribute("data-comment-action");
        var label = form.querySelector("[data-after-score]");
        if (label) label.textContent = label.getAttribute("data-after-score");
        status.hidden = false;
      } else if (body.error) {
        error.textContent = body.error;
        error.hidden = false;
        if (response.status === 410) form.hidden = true;
      }
    });
  }, function () { /* offline: the button still sends the score with the comment */ });
})();
