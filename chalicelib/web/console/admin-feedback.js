/* 意见反馈: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, clearErrors, formatTime, query, state,
   feedbackCard, LOADERS — it uses). The inbox by province and China date; each item is
   marked handled with a reply, which the province reads under 及时性 → 我的反馈. */
"use strict";

const FEEDBACK_INBOX_PAGE = 20;
const feedbackInbox = { filter: {}, cursor: null, loads: 0 };

function feedbackAuthorityName(id) {
  const authority = state.authorities[id];
  return authority ? authority.name_zh : id;
}

function feedbackHandleForm(item) {
  const form = el("form", { class: "feedback-handle", novalidate: "", onsubmit: (event) => feedbackHandle(event, item) },
    el("label", {}, "回复",
      el("textarea", { name: "reply", maxlength: "2000", rows: "2" }),
      el("span", { class: "field-error", dataset: { field: "reply" } })),
    el("p", { class: "error form-error", role: "alert" }),
    el("div", { class: "actions" },
      el("button", { type: "submit" }, item.state === "handled" ? "更新回复" : "标记已处理")));
  return form;
}

function feedbackInboxCard(item) {
  const meta = `${feedbackAuthorityName(item.authority_id)} · 提交于 ${formatTime(item.created_at)}`
    + (item.handled_at ? ` · 处理于 ${formatTime(item.handled_at)}` : "");
  const card = feedbackCard(item, meta, feedbackHandleForm(item));
  card.classList.add("card");
  return card;
}

async function feedbackHandle(event, item) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const button = $("button[type=submit]", form);
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "正在提交…";
  try {
    const reply = form.elements.reply.value.trim();
    const handled = (await api("POST", `/v1/feedback/${item.id}/handle`, { body: { reply } })).data;
    form.closest("li").replaceWith(feedbackInboxCard(handled));
    notice(`已标记为已处理：${handled.subject}`);
  } catch (exc) {
    button.disabled = false;
    button.textContent = label;
    showError(form, exc);
  }
}

/* A page may be short (the province filter is checked on a bounded number of items read):
   follow next_cursor until a page's worth is found, then offer 加载更多 while one remains. */
async function loadFeedbackInbox(reset) {
  const mine = ++feedbackInbox.loads;
  let cursor = reset ? null : feedbackInbox.cursor;
  const found = [];
  let pages = 0;
  do {
    const page = (await api("GET", "/v1/feedback" + query({
      ...feedbackInbox.filter, limit: FEEDBACK_INBOX_PAGE, cursor,
    }))).data;
    found.push(...page.items);
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && found.length < FEEDBACK_INBOX_PAGE && pages < 10);
  if (mine !== feedbackInbox.loads) return; // a newer query was started meanwhile
  feedbackInbox.cursor = cursor || null;
  const list = $("#feedback-inbox");
  const cards = found.map(feedbackInboxCard);
  if (reset) list.replaceChildren(...cards);
  else list.append(...cards);
  $("#feedback-inbox-empty").hidden = list.children.length > 0;
  $("#feedback-more").hidden = !cursor;
}

function feedbackFillProvinces() {
  const select = $('#feedback-filter select[name="authority_id"]');
  if (select.options.length > 1) return;
  const authorities = Object.values(state.authorities).sort((a, b) => a.id.localeCompare(b.id));
  select.append(...authorities.map((a) => el("option", { value: a.id }, a.name_zh)));
}

async function loadFeedbackSection() {
  feedbackFillProvinces();
  await loadFeedbackInbox(true);
}

$("#feedback-filter").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  feedbackInbox.filter = {
    authority_id: form.elements.authority_id.value,
    from: form.elements.from.value,
    to: form.elements.to.value,
  };
  try {
    await loadFeedbackInbox(true);
  } catch (exc) {
    showError(form, exc);
  }
});

$("#feedback-more").addEventListener("click", () => {
  loadFeedbackInbox(false).catch((exc) => notice(exc.message, "error"));
});

LOADERS.feedback = loadFeedbackSection;
SIGN_OUT_RESETS.push(() => {
  feedbackInbox.filter = {};
  feedbackInbox.cursor = null;
  feedbackInbox.loads += 1;
});
