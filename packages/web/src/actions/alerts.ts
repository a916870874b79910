"use server";

import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actorOf } from "@/server/auth";
import { fieldErrors, guarded, type FormState } from "@/server/forms";
import { platform } from "@/server/runtime";

export async function acknowledgeAlert(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("review.work", async (user) => {
    const parsed = z.coerce.number().int().positive().safeParse(form.get("id"));
    if (!parsed.success) return { status: "error", fields: { id: Object.values(await fieldErrors(parsed.error)).flat() } };
    await (await platform()).alerts.acknowledge(parsed.data, actorOf(user));
    revalidatePath("/alerts");
    return { status: "ok", message: (await getTranslations("alerts"))("acknowledged") };
  });
}
