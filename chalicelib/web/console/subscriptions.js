/* 数据订阅 (issue 21): a province's webhook subscriptions, or every province's for an
   administrator. Loaded after console.js, whose helpers — api, el, $, $$, query, notice,
   showError, clearErrors, formatTime, labelCells, state, LOADERS, SIGN_OUT_RESETS — it
   uses; self-contained otherwise. Add (POST /v1/subscriptions: the signing secret is shown
   once, with 复制), list with state and last delivery, 发送测试 (ping), 暂停/恢复 (PATCH
   state), 更换密钥 (rotate-secret, shown once), and per subscription its delivery log with
   重新推送 (replay from a position or a date). */
"use strict";

const SUB_STATE_ZH = { active: "正常推送", paused: "已暂停", deleted: "已删除" };
const SUB_PAUSED_ZH = {
  owner: "手动暂停",
  gone: "接收方返回 410（地址已失效），已自动暂停",
  failing: "连续 3 天投递失败，已自动暂停并通知管理员",
};
const SUB_DELIVERY_ZH = { pending: "待投递", delivered: "已送达", failed: "失败" };
const SUB_EVENT_ZH = {
  "award.created": "新增获奖信息",
  "award.updated": "更正获奖信息",
  "award.revoked": "撤销获奖信息",
  "award.redacted": "删除个人信息",
  "program.status_changed": "奖项状态变更",
};
const subs = { cursor: null, loads: 0, open: null, logCursor: null, logLoads: 0 };

function subIsAdmin() {
  return Boolean(state.me && state.me.role === "admin");
}

function subAuthorityName(id) {
  const authority = state.authorities[id];
  return authority ? authority.name_zh : id;
}

function subForgetSecret() {
  $("#sub-secret-value").value = "";
  $("#sub-secret-what").textContent = "";
  $("#sub-copied").textContent = "";
  $("#sub-secret").hidden = true;
}

function subShowSecret(subscription, what) {
  $("#sub-secret-value").value = subscription.secret;
  $("#sub-secret-what").textContent = `${what}：${subscription.url}`;
  $("#sub-secret").hidden = false;
  $("#sub-secret-value").focus();
  $("#sub-secret-value").select();
}

function subOwnerOptions() {
  const box = $("#sub-owner-box");
  box.hidden = !subIsAdmin();
  const select = $('#sub-form select[name="owner_authority_id"]');
  if (!subIsAdmin() || select.options.length) return;
  const authorities = Object.entries(state.authorities).sort(([a], [b]) => (a < b ? -1 : 1));
  select.replaceChildren(...authorities.map(([id, a]) => el("option", { value: id }, a.name_zh || id)));
}

async function loadSubscriptionsSection() {
  subForgetSecret();
  subOwnerOptions();
  $("#sub-detail").hidden = true;
  subs.open = null;
  await subList(true);
}

function subStateText(subscription) {
  const text = SUB_STATE_ZH[subscription.state] || subscription.state;
  return subscription.paused_reason ? `${text}（${SUB_PAUSED_ZH[subscription.paused_reason] || subscription.paused_reason}）` : text;
}

function subLastText(subscription) {
  const last = subscription.last_delivery;
  if (!last) return "尚无投递";
  const code = last.status_code === null || last.status_code === undefined ? "无响应" : `HTTP ${last.status_code}`;
  return `${formatTime(last.at)} ${SUB_DELIVERY_ZH[last.state] || last.state}（${code}）`;
}

function subRow(subscription) {
  const paused = subscription.state === "paused";
  return el("tr", { class: paused ? "revoked" : "", dataset: { subscriptionId: subscription.id } },
    el("td", {}, subAuthorityName(subscription.owner_authority_id)),
    el("td", {}, el("code", {}, subscription.url)),
    el("td", {}, subscription.description || ""),
    el("td", { class: "sub-state" }, subStateText(subscription)),
    el("td", { class: "sub-last" }, subLastText(subscription)),
    el("td", {}, String(subscription.pending)),
    el("td", { class: "row-actions" },
      el("button", { type: "button", class: "secondary", onclick: () => subOpen(subscription) }, "投递记录"),
      el("button", { type: "button", onclick: () => subPing(subscription) }, "发送测试"),
      el("button", { type: "button", class: "secondary", onclick: () => subToggle(subscription) }, paused ? "恢复" : "暂停"),
      el("button", { type: "button", class: "secondary", onclick: () => subRotate(subscription) }, "更换密钥"),
    ),
  );
}

function subAlerts(items) {
  const box = $("#sub-alerts");
  const failing = items.filter((s) => s.state === "paused" && s.paused_reason !== "owner");
  box.replaceChildren(...failing.map((s) => el("p", { class: "error" },
    `订阅 ${s.description || s.url}（${subAuthorityName(s.owner_authority_id)}）：${SUB_PAUSED_ZH[s.paused_reason]}。`
    + "请检查接收方后点击“恢复”，再用“重新推送”补发。")));
}

async function subList(reset) {
  const mine = ++subs.loads;
  if (reset) subs.cursor = null;
  const page = (await api("GET", "/v1/subscriptions" + query({ limit: 100, cursor: subs.cursor }))).data;
  if (mine !== subs.loads) return;
  const body = $("#sub-table tbody");
  const rows = page.items.map(subRow);
  if (reset) body.replaceChildren(...rows); else body.append(...rows);
  labelCells($("#sub-table"));
  subs.cursor = page.next_cursor;
  $("#sub-more").hidden = !subs.cursor;
  $("#sub-empty").hidden = body.children.length > 0;
  if (reset) subAlerts(page.items);
}

function subReplaceRow(subscription) {
  const row = $(`#sub-table tbody tr[data-subscription-id="${CSS.escape(subscription.id)}"]`);
  if (row) { row.replaceWith(subRow(subscription)); labelCells($("#sub-table")); }
}

async function subAdd(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  subForgetSecret();
  const body = { url: form.elements.url.value.trim() };
  const description = form.elements.description.value.trim();
  if (description) body.description = description;
  if (subIsAdmin()) body.owner_authority_id = form.elements.owner_authority_id.value;
  if (!body.url) { showError(form, { field: "url", message: "请填写接收地址（https://…）。" }); return; }
  const button = $("#sub-add");
  button.disabled = true;
  let created;
  try {
    created = (await api("POST", "/v1/subscriptions", { body })).data;
  } catch (exc) {
    showError(form, exc);
    return;
  } finally {
    button.disabled = false;
  }
  form.reset();
  subShowSecret(created, "新订阅的签名密钥");
  notice(`已添加订阅 ${created.id}`);
  await subList(true);
}

async function subCopy() {
  const input = $("#sub-secret-value");
  try {
    await navigator.clipboard.writeText(input.value);
    $("#sub-copied").textContent = "已复制";
  } catch (exc) {
    input.focus();
    input.select();
    $("#sub-copied").textContent = "无法自动复制：已选中，请按 Ctrl+C（手机上长按）复制。";
  }
}

async function subPing(subscription) {
  notice("正在发送测试……");
  try {
    const answer = (await api("POST", `/v1/subscriptions/${subscription.id}/ping`)).data;
    if (answer.ok) notice(`测试消息已送达：接收方返回 ${answer.status_code}`);
    else if (answer.status_code) notice(`接收方返回 ${answer.status_code}：${answer.error || ""}`, "error");
    else notice(`测试消息未送达：${answer.error || "无响应"}`, "error");
  } catch (exc) {
    notice(exc.message, "error");
  }
}

async function subToggle(subscription) {
  const next = subscription.state === "paused" ? "active" : "paused";
  try {
    const changed = (await api("PATCH", `/v1/subscriptions/${subscription.id}`, { body: { state: next } })).data;
    subReplaceRow(changed);
    notice(next === "paused" ? "已暂停推送（新事件会排队，恢复后按顺序送达）" : "已恢复推送");
    if (next === "active") subAlerts([]);
  } catch (exc) {
    notice(exc.message, "error");
  }
}

async function subRotate(subscription) {
  subForgetSecret();
  try {
    const rotated = (await api("POST", `/v1/subscriptions/${subscription.id}/rotate-secret`)).data;
    subShowSecret(rotated, "更换后的签名密钥（24 小时内新旧密钥同时签名）");
    subReplaceRow(rotated);
    notice("已更换签名密钥");
  } catch (exc) {
    notice(exc.message, "error");
  }
}

function subLogRow(delivery) {
  return el("tr", { class: delivery.state === "failed" ? "revoked" : "" },
    el("td", {}, el("code", {}, delivery.event_id)),
    el("td", {}, (SUB_EVENT_ZH[delivery.type] || delivery.type) + (delivery.replay ? "（重新推送）" : "")),
    el("td", {}, el("code", { class: "sub-position" }, delivery.position)),
    el("td", {}, SUB_DELIVERY_ZH[delivery.state] || delivery.state),
    el("td", {}, String(delivery.attempts)),
    el("td", {}, delivery.last_status_code === null ? "—" : String(delivery.last_status_code)),
    el("td", {}, delivery.last_error || ""),
    el("td", {}, formatTime(delivery.next_attempt_at)),
  );
}

async function subLog(reset) {
  const mine = ++subs.logLoads;
  if (reset) subs.logCursor = null;
  const path = `/v1/subscriptions/${subs.open.id}/deliveries` + query({ limit: 50, cursor: subs.logCursor });
  const page = (await api("GET", path)).data;
  if (mine !== subs.logLoads) return;
  const body = $("#sub-log tbody");
  const rows = page.items.map(subLogRow);
  if (reset) body.replaceChildren(...rows); else body.append(...rows);
  labelCells($("#sub-log"));
  subs.logCursor = page.next_cursor;
  $("#sub-log-more").hidden = !subs.logCursor;
  $("#sub-log-empty").hidden = body.children.length > 0;
}

async function subOpen(subscription) {
  subs.open = subscription;
  $("#sub-detail-title").textContent = `投递记录：${subscription.description || subscription.url}`;
  clearErrors($("#sub-replay-form"));
  $("#sub-replay-form").reset();
  $("#sub-detail").hidden = false;
  try {
    await subLog(true);
  } catch (exc) {
    notice(exc.message, "error");
  }
  $("#sub-detail").scrollIntoView({ block: "start" });
}

async function subReplay(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = {};
  const position = form.elements.from_position.value.trim();
  const day = form.elements.from_date.value;
  if (position) body.from_position = position;
  else if (day) body.from_date = day;
  else { showError(form, { field: "from_position", message: "请填写起始位置，或选择起始日期。" }); return; }
  let answer;
  try {
    answer = (await api("POST", `/v1/subscriptions/${subs.open.id}/replay`, { body })).data;
  } catch (exc) {
    showError(form, exc);
    return;
  }
  notice(`已安排重新推送 ${answer.queued} 条` + (answer.next_position ? "（还有更多：请从返回的位置继续）" : ""));
  if (answer.next_position) form.elements.from_position.value = answer.next_position;
  await subLog(true);
}

LOADERS.subscriptions = loadSubscriptionsSection;
SIGN_OUT_RESETS.push(() => {
  subs.cursor = null; subs.open = null; subs.logCursor = null;
  subs.loads += 1; subs.logLoads += 1;
});

$("#sub-form").addEventListener("submit", subAdd);
$("#sub-copy").addEventListener("click", subCopy);
// a form only so that signing out (which resets every form) also wipes the secret shown
$("#sub-secret").addEventListener("submit", (event) => event.preventDefault());
$("#sub-replay-form").addEventListener("submit", subReplay);
$("#sub-more").addEventListener("click", () => {
  subList(false).catch((exc) => notice(exc.message, "error"));
});
$("#sub-log-more").addEventListener("click", () => {
  subLog(false).catch((exc) => notice(exc.message, "error"));
});
