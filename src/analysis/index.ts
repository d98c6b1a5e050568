/** Wires the analysis capability: the service on `services.analysis` and the CSV export routes. */
import { addHttpRoute, extendServices } from '../app.js';
import { exportRoute } from './export.js';
import { AnalysisService } from './service.js';

declare module '../services.js' {
  interface Services {
    analysis: AnalysisService;
  }
}

extendServices((services) => {
  services.analysis = new AnalysisService(services.db, services.settings);
});
addHttpRoute(exportRoute);
