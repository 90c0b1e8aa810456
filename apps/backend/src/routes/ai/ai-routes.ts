import { Router } from 'express';
import { aiTaskOptions, aiTaskParam, textTaskBody } from '../../api/ai-schemas';
import { currentUser } from '../../middleware/authenticate';
import { jsonBody, parseOrThrow } from '../../middleware/validate';
import type { AiCallAllowance } from '../../services/ai-call-allowance';
import type { AiService } from '../../services/ai-service';
import { gatewayCallContext } from '../gateway-call-context';

export function aiRoutes(ai: AiService, aiCalls: AiCallAllowance): Router {
  const router = Router();
  router.post('/api/documents/:id/ai/:task', async (req, res) => {
    const { task } = parseOrThrow(aiTaskParam, { task: req.params.task });
    const options = jsonBody(req, aiTaskOptions);
    await aiCalls.spend(currentUser(req).id);
    res.json(
      await ai.runOnDocument(
        currentUser(req).id,
        req.params.id,
        task,
        options,
        gatewayCallContext(req, res),
      ),
    );
  });
  router.post('/api/ai/:task', async (req, res) => {
    const { task } = parseOrThrow(aiTaskParam, { task: req.params.task });
    const { text, title, ...options } = jsonBody(req, textTaskBody);
    await aiCalls.spend(currentUser(req).id);
    res.json(
      await ai.runOnText(
        currentUser(req).id,
        text,
        task,
        options,
        title,
        gatewayCallContext(req, res),
      ),
    );
  });
  return router;
}
