/* 密钥管理: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, state, LOADERS — it uses). */
"use strict";

async function loadKeysSection() {
  /* filled in by the 密钥管理 work */
}

LOADERS.keys = loadKeysSection;
