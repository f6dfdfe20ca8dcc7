// The printed verification's one button (no inline script: the page runs under a CSP).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-button");
  if (button) button.addEventListener("click", () => window.print());
});
