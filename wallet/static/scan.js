// Scan an offer's or a request's QR code with the camera, where the browser can (BarcodeDetector and
// getUserMedia). Without them the section stays hidden: paste the link instead.
(function () {
  "use strict";
  var section = document.getElementById("scan");
  if (!section || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  // the link field and its form: the offer on Receive, the request on Present
  var field = document.getElementById(section.getAttribute("data-field") || "offer");
  var form = document.getElementById(section.getAttribute("data-form") || "offer-form");
  var stream = null;
  var detector = null;

  function halt() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  function tick() {
    if (!stream) { return; }
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) {
        status.textContent = status.dataset.found;
        field.value = codes[0].rawValue;
        halt();
        form.submit();
      } else {
        window.requestAnimationFrame(tick);
      }
    }).catch(function () { window.requestAnimationFrame(tick); });
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") < 0) { return; }
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    section.hidden = false;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          start.hidden = true;
          stop.hidden = false;
          status.textContent = "";
          return video.play();
        })
        .then(tick)
        .catch(function () { status.textContent = status.dataset.error; halt(); });
    });
    stop.addEventListener("click", halt);
  }).catch(function () {});
})();
