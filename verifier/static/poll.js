// The request page: ask for the answer part every two seconds until the wallet has answered,
// the person has refused, or the request has expired (then the QR code is hidden). The part is replaced inside an aria-live region, so screen
// readers hear the verdict. Without JavaScript, the page offers a refresh link instead.
(function () {
  var box = document.getElementById("answer");
  if (!box || !window.fetch) { return; }
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) { refresh.hidden = true; }
  // answered, refused or expired: the QR code and links are dead, so they go away
  function hideCode() {
    var code = document.querySelector("[data-qr]");
    if (code) { code.hidden = true; }
  }
  function state() {
    var node = box.querySelector("[data-state]");
    return node ? node.getAttribute("data-state") : "pending";
  }
  function tick() {
    fetch(box.getAttribute("data-poll"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var before = state();
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var next = holder.querySelector("[data-state]");
        var after = next ? next.getAttribute("data-state") : before;
        if (after !== before) { box.innerHTML = html; }
        if (after !== "pending") { hideCode(); }
        if (after === "pending" || after === "processing") { setTimeout(tick, 2000); }
      })
      .catch(function () {
        if (refresh) { refresh.hidden = false; }
        setTimeout(tick, 5000);
      });
  }
  if (state() === "pending" || state() === "processing") { setTimeout(tick, 2000); }
})();
