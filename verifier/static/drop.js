// Drag and drop onto the check form's file field (an enhancement: the field works alone).
(function () {
  var zone = document.querySelector("[data-drop]");
  if (!zone) { return; }
  var input = zone.querySelector("input[type=file]");
  var shown = zone.querySelector("[data-drop-name]");
  function show() {
    if (shown) { shown.textContent = input.files && input.files.length ? input.files[0].name : ""; }
  }
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
})();
