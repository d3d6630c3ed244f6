(function () {
  var status = document.getElementById("status");
  var out = document.getElementById("result");
  function tick() {
    fetch(status.dataset.url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.status === "answered") {
          status.textContent = data.verified ? status.dataset.ok : status.dataset.ko;
          status.className = data.verified ? "ok" : "ko";
          var problems = (data.result && data.result.problems) || [];
          out.textContent = problems.join("\n");
          out.hidden = problems.length === 0;
          return;
        }
        if (data.status === "expired") { status.textContent = status.dataset.expired; return; }
        setTimeout(tick, 2000);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  tick();
})();
