"use client";

import type { Review } from "@fraud/core";
import { useFormatter, useTranslations } from "next-intl";
import { assignCase, labelCase, noteCase, releaseCustomer } from "@/actions/review";
import { ActionForm, SubmitButton } from "./action-form";
import { TextArea } from "./fields";
import { when } from "@/lib/format";

/** The queue's one-click actions on a case row. */
export function QuickCaseActions({ transactionId, assignee, me }: { transactionId: string; assignee: string | null; me: string }) {
  const t = useTranslations("review");
  return (
    <div className="flex flex-wrap gap-1.5 sm:flex-nowrap">
      {assignee !== me ? (
        <ActionForm action={assignCase} hidden={{ transaction_id: transactionId, assignee: "me" }} showMessage={false}>
          <SubmitButton variant="secondary" size="sm">
            {t("assignMe")}
          </SubmitButton>
        </ActionForm>
      ) : null}
      <ActionForm action={labelCase} hidden={{ transaction_id: transactionId, label: "fraud" }} showMessage={false}>
        <SubmitButton variant="danger" size="sm">
          {t("confirmFraud")}
        </SubmitButton>
      </ActionForm>
      <ActionForm action={labelCase} hidden={{ transaction_id: transactionId, label: "legitimate" }} showMessage={false}>
        <SubmitButton variant="secondary" size="sm">
          {t("markLegitimate")}
        </SubmitButton>
      </ActionForm>
    </div>
  );
}

/** The full review panel of a transaction: assign, label with a note, note, release. */
export function CasePanel({
  transactionId,
  status,
  assignee,
  me,
  activeBlocks,
  blocked,
  canWork,
  history,
}: {
  transactionId: string;
  status: "open" | "assigned" | "closed";
  assignee: string | null;
  me: string;
  activeBlocks: number;
  /** The transaction was blocked: the release section stays, to say whether any block is left. */
  blocked: boolean;
  canWork: boolean;
  history: Review.CaseEvent[];
}) {
  const t = useTranslations("review");
  const format = useFormatter();
  return (
    <div className="space-y-5">
      {canWork && status !== "closed" ? (
        <div className="space-y-4">
          <ActionForm action={assignCase} hidden={{ transaction_id: transactionId, assignee: assignee === me ? "" : "me" }}>
            <SubmitButton variant="secondary" size="sm">
              {assignee === me ? t("unassign") : t("assignMe")}
            </SubmitButton>
          </ActionForm>
          <ActionForm action={labelCase} hidden={{ transaction_id: transactionId }} className="space-y-3" label={t("label")}>
            {(state) => (
              <>
                <TextArea label={t("labelNote")} name="note" id="label-note" rows={2} placeholder={t("notePlaceholder")} errors={state.fields} />
                <label className="flex items-center gap-2 text-sm text-slate-800">
                  <input type="checkbox" name="block_customer" className="size-4 rounded border-slate-400" />
                  {t("blockCustomer")}
                </label>
                <div className="flex flex-wrap gap-2">
                  <SubmitButton variant="danger" name="label" value="fraud">
                    {t("confirmFraud")}
                  </SubmitButton>
                  <SubmitButton variant="secondary" name="label" value="legitimate">
                    {t("markLegitimate")}
                  </SubmitButton>
                </div>
              </>
            )}
          </ActionForm>
        </div>
      ) : null}
      {canWork ? (
        <ActionForm action={noteCase} hidden={{ transaction_id: transactionId }} className="space-y-2" label={t("addNote")}>
          {(state) => (
            <>
              <TextArea label={t("note")} name="note" id="case-note" rows={2} errors={state.fields} />
              <SubmitButton variant="secondary" size="sm">
                {t("addNote")}
              </SubmitButton>
            </>
          )}
        </ActionForm>
      ) : null}
      {canWork && (activeBlocks > 0 || blocked) ? (
        <ActionForm action={releaseCustomer} hidden={{ transaction_id: transactionId }} className="space-y-2 rounded-lg bg-amber-50 p-3" label={t("release")}>
          {(state) =>
            activeBlocks > 0 ? (
              <>
                <p className="text-sm text-amber-900">{t("releaseHint", { count: activeBlocks })}</p>
                <TextArea label={t("releaseNote")} name="note" id="release-note" rows={2} errors={state.fields} />
                <SubmitButton variant="secondary" size="sm">
                  {t("release")}
                </SubmitButton>
              </>
            ) : (
              <p className="text-sm text-amber-900">{t("noBlocks")}</p>
            )
          }
        </ActionForm>
      ) : null}
      <div>
        <h3 className="mb-2 text-sm font-semibold text-slate-800">{t("history")}</h3>
        {history.length === 0 ? (
          <p className="text-sm text-slate-600">{t("noHistory")}</p>
        ) : (
          <ol className="space-y-2 border-l border-slate-200 pl-4">
            {history.map((e) => (
              <li key={e.id} className="text-sm">
                <p className="text-xs text-slate-600">
                  {when(format, e.at)} · {e.author} · {t(`actionsNames.${e.action}`)}
                </p>
                <p className="text-slate-800">{e.note}</p>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
