"use server";

import { Review } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { actorOf } from "@/server/auth";
import { fieldErrors, formObject, guarded, type FormState } from "@/server/forms";
import { platform } from "@/server/runtime";

function refresh(transactionId: string) {
  revalidatePath("/review");
  revalidatePath("/alerts");
  revalidatePath(`/transactions/${encodeURIComponent(transactionId)}`);
}

export async function assignCase(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("review.work", async (user) => {
    const values = formObject(form);
    const parsed = Review.AssignCase.safeParse({
      transaction_id: values.transaction_id ?? "",
      assignee: values.assignee === "me" ? user.username : (values.assignee ?? null),
    });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    await (await platform()).reviews.assign(parsed.data, actorOf(user));
    refresh(parsed.data.transaction_id);
    return { status: "ok", message: (await getTranslations("review"))("assigned") };
  });
}

/** Confirms fraud or marks legitimate: the label closes the case and feeds the precision figures. */
export async function labelCase(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("review.work", async (user) => {
    const values = formObject(form);
    const parsed = Review.LabelCase.safeParse({ transaction_id: values.transaction_id ?? "", label: values.label ?? "", note: values.note ?? "" });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const p = await platform();
    const done = await p.reviews.label(parsed.data, actorOf(user));
    const t = await getTranslations("review");
    if (parsed.data.label === "fraud" && values.block_customer === "on") {
      await p.lists.add(
        { kind: "block", field: "user_id", value: done.user_id, reason: `fraud confirmed on ${done.transaction_id}`, expires_at: null },
        actorOf(user),
      );
      revalidatePath("/lists");
    }
    refresh(parsed.data.transaction_id);
    return { status: "ok", message: parsed.data.label === "fraud" ? t("confirmedFraud") : t("markedLegitimate") };
  });
}

export async function noteCase(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("review.work", async (user) => {
    const values = formObject(form);
    const parsed = Review.AddNote.safeParse({ transaction_id: values.transaction_id ?? "", note: values.note ?? "" });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    await (await platform()).reviews.note(parsed.data, actorOf(user));
    refresh(parsed.data.transaction_id);
    return { status: "ok", message: (await getTranslations("review"))("noted") };
  });
}

/** Releases a blocked customer: removes the block-list entries on their user id, noted on the case. */
export async function releaseCustomer(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("review.work", async (user) => {
    const values = formObject(form);
    const parsed = Review.AddNote.safeParse({ transaction_id: values.transaction_id ?? "", note: values.note ?? "released" });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const p = await platform();
    const c = await p.reviews.get(parsed.data.transaction_id);
    const t = await getTranslations("review");
    if (!c) return { status: "error", message: t("noCase") };
    const blocks = (await p.lists.find([{ field: "user_id", value: c.user_id }])).filter((e) => e.kind === "block");
    for (const entry of blocks) await p.lists.remove(entry.id, actorOf(user));
    await p.reviews.recordRelease(
      c.transaction_id,
      `${parsed.data.note} (${blocks.length} block entr${blocks.length === 1 ? "y" : "ies"} removed)`,
      actorOf(user),
    );
    refresh(c.transaction_id);
    revalidatePath("/lists");
    return { status: "ok", message: t("released", { count: blocks.length }) };
  });
}
