/* 待审核: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, state, LOADERS — it uses). */
"use strict";

async function loadReviewSection() {
  /* filled in by the 待审核 work */
}

LOADERS.review = loadReviewSection;
