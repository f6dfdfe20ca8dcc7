/* 及时性与审计: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, state, LOADERS — it uses). */
"use strict";

async function loadAuditSection() {
  /* filled in by the 及时性与审计 work */
}

LOADERS.audit = loadAuditSection;
