import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { summaryOf, type Decision } from "../../decision/decision.ts";
import type { AlertMessage, Alerter } from "../../platform/ports.ts";
import { raisesAlert } from "../../ruleset/ruleset.ts";

/** The alert of a REVIEW or BLOCKED decision: ids and figures, no personal data. */
export function alertOf(d: Decision): AlertMessage | undefined {
  return raisesAlert(d.decision) ? summaryOf(d) : undefined;
}

/** Subject and body as the risk team reads them in the alert email. */
export function alertEmail(m: AlertMessage): { subject: string; body: string } {
  // SNS subjects are printable ASCII, one line, at most 100 characters.
  const subject = `[${m.decision}] ${m.user_id} ${m.amount} ${m.currency} (score ${m.score})`.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
  const body = [
    `Decision: ${m.decision}, score ${m.score}/100`,
    `Transaction: ${m.transaction_id}, decided at ${m.decided_at}`,
    `Customer: ${m.user_id}`,
    `Amount: ${m.amount} ${m.currency}`,
    `Rules fired: ${m.rules.length ? m.rules.join(", ") : "(none)"}`,
  ].join("\n");
  return { subject, body };
}

/** Alerts on SNS: the topic's subscribers (the risk team's email) receive them. */
export class SnsAlerter implements Alerter {
  readonly channel = "sns";

  constructor(
    private readonly sns: SNSClient,
    readonly topicArn: string,
  ) {}

  async send(message: AlertMessage): Promise<void> {
    const { subject, body } = alertEmail(message);
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        Message: body,
        MessageAttributes: {
          decision: { DataType: "String", StringValue: message.decision },
          transaction_id: { DataType: "String", StringValue: message.transaction_id },
        },
      }),
    );
  }
}
