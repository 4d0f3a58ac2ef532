// The compose page's live preview (issue 19): each platform's count and limit as the
// text changes. Progressive enhancement: without it, the "Preview" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.compose");
  if (!form) { return; }
  var preview = document.getElementById("preview");
  var timer = null;

  function images() {
    var n = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) { if (input.files.length) { n += 1; } });
    return n + form.querySelectorAll("[id^=id_remove_]:not(:checked)").length;
  }

  function show(answer) {
    preview.replaceChildren();
    var heading = document.createElement("h2");
    heading.textContent = "Preview";
    preview.appendChild(heading);
    var text = document.createElement("blockquote");
    text.textContent = answer.text;  // text, never HTML: a draft's words are not markup
    preview.appendChild(text);
    answer.counters.forEach(function (c) {
      var line = document.createElement("div");
      line.className = "counter";
      line.textContent = c.platform + ": " + c.used + " / " + c.limit + " " + c.unit;
      if (c.used > c.limit) { line.classList.add("fail"); }
      preview.appendChild(line);
      c.problems.forEach(function (p) {
        var problem = document.createElement("div");
        problem.className = "fail";
        problem.setAttribute("role", "alert");
        problem.textContent = p;
        preview.appendChild(problem);
      });
    });
  }

  function update() {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("text", form.querySelector("[name=text]").value);
    data.append("link", form.querySelector("[name=link]").value);
    data.append("images", String(images()));
    form.querySelectorAll("[name=accounts]:checked").forEach(function (box) { data.append("accounts", box.value); });
    fetch(form.dataset.previewUrl, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { if (answer) { show(answer); } });
  }

  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(update, 50); });
  update();
}());
