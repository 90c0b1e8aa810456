import { Router } from 'express';
import { loginBody, registerBody } from '../../api/account-schemas';
import { jsonBody } from '../../middleware/validate';
import type { AccountService, AccountSession } from '../../services/account-service';

const sessionView = (session: AccountSession) => ({
  ...session,
  user: { ...session.user, createdAt: session.user.createdAt.toISOString() },
});

export function authRoutes(accounts: AccountService): Router {
  const router = Router();
  router.post('/api/auth/register', async (req, res) => {
    const { email, password } = jsonBody(req, registerBody);
    res.status(201).json(sessionView(await accounts.register(email, password)));
  });
  router.post('/api/auth/login', async (req, res) => {
    const { email, password } = jsonBody(req, loginBody);
    const clientIp = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    res.json(sessionView(await accounts.login(email, password, clientIp)));
  });
  return router;
}
