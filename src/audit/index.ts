/**
 * The audit capability: every write transaction appends the audit entries its work recorded,
 * last, inside it (src/audit/trail.ts); auditors read and verify the chain (src/audit/service.ts).
 */
import { extendServices } from '../app.js';
import { AuditService } from './service.js';
import { appendAudit } from './trail.js';

declare module '../services.js' {
  interface Services {
    audit: AuditService;
  }
}

extendServices((services) => {
  services.audit = new AuditService(services.db);
  services.db.finishWritesWith(appendAudit);
});
