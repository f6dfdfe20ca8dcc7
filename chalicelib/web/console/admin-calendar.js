/* 工作日历: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, state, LOADERS — it uses). */
"use strict";

async function loadCalendarSection() {
  /* filled in by the 工作日历 work */
}

LOADERS.calendar = loadCalendarSection;
