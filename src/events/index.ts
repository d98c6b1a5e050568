/**
 * The events capability: delivery of the event log to subscribers (in-process or through Redis)
 * and the webhook notifier, wired into the services of each API instance.
 */
import { extendServices } from '../app.js';
import { WebhookNotifier } from '../notify/webhook.js';
import { InProcessBus, RedisBus, type EventBus } from './bus.js';
import { EventStream } from './stream.js';

declare module '../services.js' {
  interface Services {
    /** Live delivery of the event log on this instance. */
    eventStream: EventStream;
    /** Posts paused syncs to NOTIFY_WEBHOOK_URL; null when it is not set. */
    notifier: WebhookNotifier | null;
  }
}

/** Test and benchmark knobs, read once at boot (EVENTS_POLL_MS, EVENTS_RETENTION_HOURS, NOTIFY_BASE_DELAY_MS). */
function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

extendServices((services) => {
  const bus: EventBus = services.config.redisUrl ? new RedisBus(services.config.redisUrl, services.logger) : new InProcessBus();
  const retentionHours = numberFromEnv('EVENTS_RETENTION_HOURS');
  const stream = new EventStream(services.db, bus, services.logger, {
    pollMs: numberFromEnv('EVENTS_POLL_MS'),
    retentionMs: retentionHours === undefined ? undefined : retentionHours * 3600_000,
  });
  services.eventStream = stream;
  services.events.onCommit(() => stream.committed());
  services.notifier = services.config.notifyWebhookUrl
    ? new WebhookNotifier(services.db, services.logger, {
        url: services.config.notifyWebhookUrl,
        publicUrl: services.config.publicUrl,
        baseDelayMs: numberFromEnv('NOTIFY_BASE_DELAY_MS'),
      })
    : null;
  const notifier = services.notifier;
  if (notifier) stream.onDelivery((deliveries) => notifier.delivered(deliveries));
  services.stoppers.push(async () => {
    await notifier?.stop();
    await stream.stop();
  });
});
