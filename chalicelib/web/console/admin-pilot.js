/* 试点评估: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, state, LOADERS — it uses). */
"use strict";

async function loadPilotSection() {
  /* filled in by the 试点评估 work */
}

LOADERS.pilot = loadPilotSection;
