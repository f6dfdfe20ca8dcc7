/* 待审核: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, state, LOADERS — it uses).
   Submitted programmes oldest first, each with its fields and approval document (a PDF
   framed inline through its short-lived link, an OFD as a download); 通过 / 退回 (with a
   reason) through POST /v1/programs/{id}/review, and 撤销 of an approved programme
   (reason, effective date) through POST /v1/programs/{id}/withdraw. */
"use strict";

let reviewCurrent = null;
let reviewLoads = 0;
let reviewOpens = 0; // 审阅 clicks: only the last one's programme is shown and decided on

function reviewAuthorityName(id) {
  const authority = state.authorities[id];
  return authority ? authority.name_zh : id;
}

/* Every programme in that status (at most 1000), in the order a reviewer takes them:
   the queue oldest submission first, approved programmes newest first. */
async function reviewFetch(status) {
  const items = [];
  let cursor = null;
  do {
    const page = (await api("GET", "/v1/programs" + query({ status, limit: 100, cursor }))).data;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < 1000);
  const when = (p) => p.submitted_at || p.updated_at || "";
  items.sort((a, b) => (when(a) < when(b) ? -1 : when(a) > when(b) ? 1 : 0));
  if (status !== "submitted") items.reverse();
  return items;
}

async function loadReviewSection() {
  reviewCurrent = null;
  reviewOpens += 1; // a programme still being fetched is not opened over the reloaded list
  $("#review-detail").hidden = true;
  await reviewList();
}

async function reviewList() {
  const mine = ++reviewLoads;
  const status = $('#review-filter select[name="status"]').value;
  const items = await reviewFetch(status);
  if (mine !== reviewLoads) return; // a newer load has started meanwhile
  $("#review-table tbody").replaceChildren(...items.map((program) => el("tr", {},
    el("td", {}, program.name),
    el("td", {}, reviewAuthorityName(program.authority_id)),
    el("td", {}, program.organizer),
    el("td", {}, formatTime(program.submitted_at)),
    el("td", {}, el("span", { class: `badge ${program.status}` }, STATUS_ZH[program.status] || program.status)),
    el("td", { class: "row-actions" }, el("button", {
      type: "button", class: "secondary", onclick: () => reviewOpen(program.id),
    }, "审阅")),
  )));
  labelCells($("#review-table"));
  const empty = $("#review-empty");
  empty.textContent = status === "submitted" ? "没有待审核的奖项。" : "没有已审核通过的奖项。";
  empty.hidden = items.length > 0;
}

/* 审阅 on A then on B: A's answer may come last; it is dropped, so the card shows B and
   通过 / 退回 act on B. */
async function reviewOpen(id) {
  const mine = ++reviewOpens;
  try {
    const program = (await api("GET", `/v1/programs/${id}`)).data;
    if (mine !== reviewOpens) return;
    await reviewShow(program, mine);
  } catch (exc) {
    if (mine === reviewOpens) notice(exc.message, "error");
  }
}

async function reviewShow(program, mine) {
  reviewCurrent = program;
  $("#rv-name").textContent = `${program.name}（${reviewAuthorityName(program.authority_id)}）`;
  showFacts($("#rv-facts"), [
    ["状态", STATUS_ZH[program.status] || program.status],
    ["省份", reviewAuthorityName(program.authority_id)],
    ...programFacts(program),
    ["报送时间", formatTime(program.submitted_at)],
  ]);
  $("#rv-history").replaceChildren(...program.status_history.map((change) => el("li", {},
    timeElement(change.at, "time"), " ",
    el("strong", {}, STATUS_ZH[change.status] || change.status),
    change.reason ? `：${change.reason}` : "",
    change.effective_on ? `（自${formatDate(change.effective_on)}起）` : "",
  )));
  for (const form of [$("#review-form"), $("#withdraw-form")]) { form.reset(); clearErrors(form); }
  $("#review-form").hidden = program.status !== "submitted";
  $("#withdraw-form").hidden = program.status !== "approved";
  $("#review-detail").hidden = false;
  await reviewDocuments(program, mine);
  if (mine === reviewOpens) $("#review-detail").scrollIntoView({ block: "start" });
}

/* Each verified document through its short-lived link (GET …?format=json): a PDF framed
   in the page (the console's CSP allows that one origin in frame-src), an OFD, which no
   browser shows, as a download. */
async function reviewDocuments(program, mine) {
  const box = $("#rv-documents");
  box.replaceChildren();
  if (!program.documents.length) { box.append(el("p", { class: "empty" }, "未上传批准文件。")); return; }
  const current = currentDocumentId(program);
  // the current file first, framed; the files it replaced below it, marked as such
  const ordered = [...program.documents].sort((a, b) => (a.id === current ? -1 : b.id === current ? 1 : 0));
  for (const doc of ordered) {
    const title = `${doc.filename}（${(doc.size / 1024).toFixed(1)} KB）`;
    if (doc.status !== "verified" || doc.id !== current) {
      const reason = documentReason(doc);
      box.append(el("p", {}, title, " ",
        el("span", { class: `badge doc-${doc.status}` }, DOC_STATUS_ZH[doc.status] || doc.status),
        reason ? `：${reason}` : "", " ", documentMark(doc, current)));
      continue;
    }
    let link;
    try {
      link = (await api("GET", `/v1/programs/${program.id}/documents/${doc.id}` + query({ format: "json" }))).data;
    } catch (exc) {
      if (mine !== reviewOpens) return; // another programme was opened meanwhile
      box.append(el("p", { class: "error" }, `${title}：${exc.message}`));
      continue;
    }
    if (mine !== reviewOpens) return; // another programme was opened meanwhile
    const minutes = Math.max(1, Math.round(link.expires_in / 60));
    if (doc.content_type === "application/pdf") {
      box.append(el("figure", { class: "review-doc" },
        el("iframe", { src: link.url, title: `批准文件：${doc.filename}` }),
        el("figcaption", { class: "hint" }, documentMark(doc, current), " ", title, " ",
          el("a", { href: link.url, target: "_blank", rel: "noopener" }, "在新窗口打开"),
          `（链接 ${minutes} 分钟内有效）`)));
    } else {
      box.append(el("p", {},
        documentMark(doc, current), " ",
        el("a", { href: link.url, download: doc.filename, rel: "noopener" }, `下载 ${title}（OFD）`),
        el("span", { class: "hint" }, `（OFD 版式文件请用 OFD 阅读器打开；链接 ${minutes} 分钟内有效）`)));
    }
  }
}

async function reviewDecide(decision) {
  const form = $("#review-form");
  const program = reviewCurrent;
  clearErrors(form);
  const body = { decision };
  if (decision === "reject") {
    const reason = form.elements.reason.value.trim();
    if (!reason) { showError(form, { field: "reason", message: "退回须填写理由。" }); return; }
    body.reason = reason;
  }
  const who = `“${program.name}”（${reviewAuthorityName(program.authority_id)}）`;
  const question = decision === "approve"
    ? `确认通过${who}？通过后该奖项即向社会公开，可接收获奖信息。`
    : `确认退回${who}？省级部门将在其控制台看到退回理由。`;
  if (!confirmAction(question)) return;
  const button = decision === "approve" ? $("#rv-approve") : $("#rv-reject");
  try {
    await busy(button, decision === "approve" ? "正在通过…" : "正在退回…",
      () => api("POST", `/v1/programs/${program.id}/review`, { body }));
  } catch (exc) {
    showError(form, exc);
    return;
  }
  $("#review-detail").hidden = true;
  reviewCurrent = null;
  notice(decision === "approve" ? `已通过：${program.name}` : `已退回：${program.name}`);
  await reviewList();
}

async function reviewWithdraw(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const program = reviewCurrent;
  clearErrors(form);
  const body = {
    reason: form.elements.reason.value.trim(),
    effective_on: form.elements.effective_on.value,
  };
  if (!body.reason) { showError(form, { field: "reason", message: "撤销须填写理由。" }); return; }
  if (!body.effective_on) { showError(form, { field: "effective_on", message: "请选择生效日期。" }); return; }
  if (!confirmAction(`确认撤销设立“${program.name}”（${reviewAuthorityName(program.authority_id)}），`
    + `自${formatDate(body.effective_on)}起生效？其获奖信息将显示为“奖项已撤销设立”。`)) return;
  try {
    await busy($("#rv-withdraw"), "正在撤销…",
      () => api("POST", `/v1/programs/${program.id}/withdraw`, { body }));
  } catch (exc) {
    showError(form, exc);
    return;
  }
  $("#review-detail").hidden = true;
  reviewCurrent = null;
  notice(`已撤销设立：${program.name}（自${formatDate(body.effective_on)}起）`);
  await reviewList();
}

LOADERS.review = loadReviewSection;
SIGN_OUT_RESETS.push(() => { reviewCurrent = null; reviewOpens += 1; reviewLoads += 1; });

$("#review-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  $("#review-detail").hidden = true;
  reviewOpens += 1;
  reviewList().catch((exc) => notice(exc.message, "error"));
});
$("#review-filter select").addEventListener("change", () => {
  $("#review-detail").hidden = true;
  reviewOpens += 1;
  reviewList().catch((exc) => notice(exc.message, "error"));
});
$("#rv-approve").addEventListener("click", () => reviewDecide("approve"));
$("#rv-reject").addEventListener("click", () => reviewDecide("reject"));
$("#withdraw-form").addEventListener("submit", reviewWithdraw);
