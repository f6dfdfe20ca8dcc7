/* 意见反馈: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, state, LOADERS — it uses). */
"use strict";

async function loadFeedbackSection() {
  /* filled in by the 意见反馈 work */
}

LOADERS.feedback = loadFeedbackSection;
