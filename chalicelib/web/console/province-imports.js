/* 批量导入: a province's section of the console (loaded after console.js, whose helpers it
 * uses): a spreadsheet declared, uploaded and started, its progress, its rejected rows. */
"use strict";

/* Rows without a programme go to the one chosen here; the choice survives a reload. */
function fillImportSelect(programs) {
  const usable = programs.filter((p) => p.status === "submitted" || p.status === "approved");
  const select = $('#import-form select[name="program_id"]');
  const keep = select.value;
  select.replaceChildren(el("option", { value: "" }, "（文件中注明）"),
    ...usable.map((p) => el("option", { value: p.id }, `${p.name}（${STATUS_ZH[p.status]}）`)));
  select.value = keep;
  if (select.value !== keep) select.value = "";
}

PROGRAM_WATCHERS.push(fillImportSelect);

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async function startImport(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const file = $("#import-file").files[0];
  if (!file) { showError(form, { message: "请先选择 XLSX 或 CSV 文件。" }); return; }
  const type = file.name.toLowerCase().endsWith(".csv") ? "text/csv" : XLSX_TYPE;
  const button = $("#import-start");
  button.disabled = true;
  button.textContent = "正在导入…";
  try {
    const sha256 = await sha256Hex(await file.arrayBuffer());
    const declaration = { filename: file.name, content_type: type, size: file.size, sha256 };
    if (form.elements.program_id.value) declaration.program_id = form.elements.program_id.value;
    if (form.elements.skip_duplicates.checked) declaration.skip_duplicates = true;
    const declared = (await api("POST", "/v1/imports", { body: declaration })).data;
    await uploadForm(declared.upload, file);
    await api("POST", `/v1/imports/${declared.import_id}/start`);
    $("#import-progress").hidden = false;
    $("#import-errors").hidden = true;
    await followImport(declared.import_id);
  } catch (exc) {
    showError(form, exc);
  } finally {
    button.disabled = false;
    button.textContent = "开始导入";
    loadImportHistory().catch(() => null);
  }
}

function pause(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/* 取消导入: a confirm step, then POST /v1/imports/{id}/cancel; followImport shows the outcome. */
function askCancelImport() {
  $("#import-cancel-confirm").hidden = false;
  $("#import-cancel-yes").focus();
}

async function cancelImport() {
  const id = state.importing;
  $("#import-cancel-confirm").hidden = true;
  if (!id) return;
  try {
    await busy($("#import-cancel-yes"), "正在取消…", () => api("POST", `/v1/imports/${id}/cancel`));
  } catch (exc) {
    notice(exc.message, "error");
  }
}

async function followImport(id) {
  state.importing = id;
  for (;;) {
    const job = (await api("GET", `/v1/imports/${id}`)).data;
    const open = ["awaiting_upload", "queued", "running"].includes(job.status);
    $("#import-cancel").hidden = !open;
    if (!open) $("#import-cancel-confirm").hidden = true;
    const done = job.pushed + job.unchanged + job.rejected;
    const bar = $("#import-bar");
    if (job.awards) { bar.max = job.awards; bar.value = Math.min(done, job.awards); }
    if (job.status === "done") { bar.max = 1; bar.value = 1; }
    $("#import-state").textContent = `${job.filename}：${IMPORT_STATUS_ZH[job.status] || job.status}`
      + (job.rows !== undefined && job.rows !== null ? `，共 ${job.rows} 行` : "");
    $("#import-counts").textContent =
      `已推送 ${job.pushed} 条，未变化 ${job.unchanged} 条，被退回 ${job.rejected} 条`
      + (job.warnings ? `，警告 ${job.warnings} 条` : "")
      + (job.duplicates_skipped ? `（跳过重复 ${job.duplicates_skipped} 条）` : "");
    if (["failed", "cancelled", "expired"].includes(job.status)) {
      if (job.error) $("#import-state").textContent += `：${errorText({ ...job.error, status: 400 })}`;
      return;
    }
    if (job.status === "done") {
      if (job.rejected > 0 || job.warnings > 0) await showImportErrors(id);
      return;
    }
    await pause(1000); // polling the import's progress, as a person would refresh
  }
}

function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") { row.push(cell); cell = ""; }
    else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += char;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/* The rejected rows on screen, in the page's words: where (row, 本省编号, column) and why
 * (the Chinese reason): the first four columns of the errors file, whose other columns
 * are the row's own cells as uploaded. */
async function showImportErrors(id) {
  const response = await api("GET", `/v1/imports/${id}/errors.csv`, { raw: true });
  const rows = parseCsv((await response.text()).replace(/^\uFEFF/, ""));
  if (!rows.length) return;
  const [, ...body] = rows;
  $("#import-error-table thead").replaceChildren(el("tr", {},
    ...["行号", "本省编号", "列", "错误原因"].map((h) => el("th", { scope: "col" }, h))));
  $("#import-error-table tbody").replaceChildren(...body.map((cells) => el("tr", {},
    el("td", {}, cells[0] || "—"), el("td", {}, cells[1] || ""), el("td", {}, cells[2] || ""),
    el("td", {}, peopleReason(cells[3] || "")))));
  labelCells($("#import-error-table"));
  $("#import-error-downloads").replaceChildren(...errorDownloads(id));
  $("#import-errors").hidden = false;
}

/* A reason without the API's codes: general_contractor（施工总承包） → 施工总承包 (the sheet is
 * filled in with the Chinese labels; services/imports.py people_reason does the same). */
function peopleReason(text) {
  return text.replace(/[a-z][a-z_]*（([^）]+)）/g, "$1");
}

/* 下载错误明细: the file is fetched with the key (a plain link could not send it), then
 * handed to the browser as a download. */
async function downloadErrors(id, kind, button) {
  const accept = kind === "xlsx" ? XLSX_TYPE : "text/csv";
  await busy(button, "正在下载…", async () => {
    const response = await api("GET", `/v1/imports/${id}/errors.${kind}`, {
      raw: true, headers: { Accept: accept },
    });
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: `导入错误明细-${id}.${kind}` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }).catch((exc) => notice(exc.message, "error"));
}

function errorDownloads(id) {
  return ["xlsx", "csv"].map((kind) => el("button", {
    type: "button", class: "secondary",
    onclick: (event) => downloadErrors(id, kind, event.currentTarget),
  }, `下载错误明细（${kind.toUpperCase()}）`));
}

/* 导入记录: the province's past imports, read from the registry (so they survive signing
 * out): file, time, the key that imported it, counts, state, and the errors file. */
async function loadImportHistory() {
  const items = (await api("GET", "/v1/imports")).data.items;
  $("#import-history tbody").replaceChildren(...items.map((job) => el("tr", {},
    el("td", {}, job.filename),
    el("td", {}, timeElement(job.created_at, "time")),
    el("td", {}, el("code", {}, job.key_id || "")),
    el("td", {}, `推送 ${job.pushed}，未变化 ${job.unchanged}，退回 ${job.rejected}`),
    el("td", {}, IMPORT_STATUS_ZH[job.status] || job.status),
    el("td", { class: "row-actions" }, ...(job.rejected > 0 || job.warnings > 0 || job.status === "failed"
      ? errorDownloads(job.import_id) : ["—"])),
  )));
  labelCells($("#import-history"));
  $("#import-history-empty").hidden = items.length > 0;
}

async function loadImports() {
  $("#template-link").href = `${BASE}/v1/templates/awards.xlsx`;
  await fetchPrograms();
  await loadImportHistory();
}

LOADERS.imports = loadImports;

document.addEventListener("DOMContentLoaded", () => {
  $("#import-form").addEventListener("submit", startImport);
  $("#import-cancel").addEventListener("click", askCancelImport);
  $("#import-cancel-yes").addEventListener("click", cancelImport);
  $("#import-cancel-no").addEventListener("click", () => { $("#import-cancel-confirm").hidden = true; });
});
