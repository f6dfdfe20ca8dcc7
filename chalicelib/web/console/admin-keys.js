/* 密钥管理: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, state, LOADERS — it uses).
   Issue a key (POST /v1/keys: shown once here, never again: only its HMAC is stored), list
   keys (GET /v1/keys) and revoke one after a confirm step (POST /v1/keys/{id}/revoke, with an
   optional reason). Each key shows who issued and who revoked it (created_by / revoked_by: the
   acting key's id, or "cli" for the operator's command line). */
"use strict";

const KEYS_ROLE_ZH = { admin: "管理员", provincial: "省级部门" };
let keysCursor = null;
let keysRevoking = null;
let keysLoads = 0;
const keysNotes = {}; // key id -> note, of the keys listed so far: names an issuer or revoker

/* Who acted (created_by / revoked_by): the operator's command line, this very key, or a key
   by its id and the note it was issued with. Null (keys older than the record) shows "—". */
function keysActor(id) {
  if (!id) return "—";
  if (id === "cli") return "命令行（运维人员）";
  const note = keysNotes[id];
  const mine = state.me && id === state.me.key_id ? "当前密钥 " : "";
  return el("span", {}, mine, el("code", {}, id), note ? `（${note}）` : "");
}

function keysRevokedCell(key) {
  if (!key.revoked_at) return el("td", {}, "—");
  return el("td", {}, keysActor(key.revoked_by), key.revoke_note ? `；原因：${key.revoke_note}` : "");
}

function keysAuthorityOptions() {
  const select = $('#keys-form select[name="authority_id"]');
  if (select.options.length) return;
  const authorities = Object.entries(state.authorities).sort(([a], [b]) => (a < b ? -1 : 1));
  select.replaceChildren(...authorities.map(([id, a]) => el("option", { value: id }, a.name_zh || id)));
}

function keysRoleChanged() {
  const form = $("#keys-form");
  $("#keys-authority-box").hidden = form.elements.role.value !== "provincial";
}

/* Forgets a key shown before: it is seen once, when issued, and gone when the section reloads. */
function keysForgetNew() {
  $("#keys-new-value").value = "";
  $("#keys-new-what").textContent = "";
  $("#keys-copied").textContent = "";
  $("#keys-new").hidden = true;
}

async function loadKeysSection() {
  keysForgetNew();
  keysAuthorityOptions();
  keysRoleChanged();
  $("#keys-revoke-form").hidden = true;
  keysRevoking = null;
  await keysList(true);
}

function keysRow(key) {
  const authority = key.authority_id ? state.authorities[key.authority_id] : null;
  return el("tr", { class: key.revoked_at ? "revoked" : "", dataset: { keyId: key.key_id } },
    el("td", {}, el("code", {}, key.key_id)),
    el("td", {}, KEYS_ROLE_ZH[key.role] || key.role),
    el("td", {}, authority ? authority.name_zh : (key.authority_id || "—")),
    el("td", {}, key.note || ""),
    el("td", {}, formatTime(key.created_at)),
    el("td", {}, keysActor(key.created_by)),
    el("td", {}, key.last_used_on ? formatDate(key.last_used_on) : "未使用"),
    el("td", {}, key.revoked_at ? `已吊销（${formatTime(key.revoked_at)}）` : "有效"),
    keysRevokedCell(key),
    el("td", { class: "row-actions" }, key.revoked_at || (state.me && key.key_id === state.me.key_id)
      ? (key.revoked_at ? "" : "当前使用")
      : el("button", { type: "button", class: "danger", onclick: () => keysAskRevoke(key) }, "吊销")),
  );
}

async function keysList(reset) {
  const mine = ++keysLoads;
  if (reset) keysCursor = null;
  const page = (await api("GET", "/v1/keys" + query({ limit: 100, cursor: keysCursor }))).data;
  if (mine !== keysLoads) return;
  for (const key of page.items) if (key.note) keysNotes[key.key_id] = key.note;
  const body = $("#keys-table tbody");
  const rows = page.items.map(keysRow);
  if (reset) body.replaceChildren(...rows); else body.append(...rows);
  labelCells($("#keys-table"));
  keysCursor = page.next_cursor;
  $("#keys-more").hidden = !keysCursor;
  $("#keys-empty").hidden = body.children.length > 0;
}

async function keysIssue(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  keysForgetNew();
  const role = form.elements.role.value;
  const body = { role, note: form.elements.note.value.trim() };
  if (role === "provincial") body.authority_id = form.elements.authority_id.value;
  if (!body.note) { showError(form, { field: "note", message: "请填写备注（持有人、用途），便于日后辨认。" }); return; }
  let issued;
  try {
    issued = (await busy($("#keys-issue"), "正在签发…", () => api("POST", "/v1/keys", { body }))).data;
  } catch (exc) {
    showError(form, exc);
    return;
  }
  form.elements.note.value = ""; // the role and province stay as chosen for the next key
  const authority = issued.authority_id ? state.authorities[issued.authority_id] : null;
  $("#keys-new-value").value = issued.api_key;
  $("#keys-new-what").textContent = `${issued.key_id}：${KEYS_ROLE_ZH[issued.role]}`
    + (authority ? `（${authority.name_zh}）` : "") + `，${issued.note}`;
  $("#keys-new").hidden = false;
  notice(`已签发密钥 ${issued.key_id}`);
  $("#keys-new-value").focus();
  $("#keys-new-value").select();
  // the list is read through an index: a key issued a moment ago may show on the next load
  await keysList(true);
}

async function keysCopy() {
  const input = $("#keys-new-value");
  try {
    await navigator.clipboard.writeText(input.value);
    $("#keys-copied").textContent = "已复制";
  } catch (exc) {
    input.focus();
    input.select();
    $("#keys-copied").textContent = "无法自动复制：已选中，请按 Ctrl+C（手机上长按）复制。";
  }
}

function keysAskRevoke(key) {
  const form = $("#keys-revoke-form");
  clearErrors(form);
  keysRevoking = key;
  const authority = key.authority_id ? state.authorities[key.authority_id] : null;
  $("#keys-revoke-what").textContent = `吊销密钥 ${key.key_id}（${KEYS_ROLE_ZH[key.role] || key.role}`
    + (authority ? `，${authority.name_zh}` : "") + (key.note ? `，${key.note}` : "") + "）？";
  form.hidden = false;
  form.scrollIntoView({ block: "center" });
  $("button[type=submit]", form).focus();
}

async function keysRevoke(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const key = keysRevoking;
  const note = form.elements.note.value.trim();
  let revoked;
  try {
    revoked = (await busy($("button[type=submit]", form), "正在吊销…",
      () => api("POST", `/v1/keys/${key.key_id}/revoke`, note ? { body: { note } } : {}))).data;
  } catch (exc) {
    showError(form, exc);
    return;
  }
  form.hidden = true;
  form.reset();
  keysRevoking = null;
  notice(`已吊销密钥 ${revoked.key_id}`);
  const row = $(`#keys-table tbody tr[data-key-id="${CSS.escape(revoked.key_id)}"]`);
  if (row) { row.replaceWith(keysRow(revoked)); labelCells($("#keys-table")); }
}

LOADERS.keys = loadKeysSection;
SIGN_OUT_RESETS.push(() => {
  keysCursor = null; keysRevoking = null; keysLoads += 1;
  for (const id of Object.keys(keysNotes)) delete keysNotes[id];
});

$("#keys-form").addEventListener("submit", keysIssue);
$('#keys-form select[name="role"]').addEventListener("change", keysRoleChanged);
$("#keys-copy").addEventListener("click", keysCopy);
// a form only so that signing out (which resets every form) also wipes the key shown
$("#keys-new").addEventListener("submit", (event) => event.preventDefault());
$("#keys-revoke-form").addEventListener("submit", keysRevoke);
$("#keys-more").addEventListener("click", () => {
  keysList(false).catch((exc) => notice(exc.message, "error"));
});
