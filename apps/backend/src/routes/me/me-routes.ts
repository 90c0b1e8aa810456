import { Router } from 'express';
import { passwordChangeBody, profileUpdateBody } from '../../api/account-schemas';
import { problem } from '../../errors';
import { currentUser } from '../../middleware/authenticate';
import { exactPathOnly } from '../../middleware/exact-path-only';
import { jsonBody } from '../../middleware/validate';
import type { AccountService, Profile } from '../../services/account-service';

const profileView = (profile: Profile) => ({
  ...profile,
  createdAt: profile.createdAt.toISOString(),
});

/** `onOutboxWork` wakes the outbox worker for the erasure's delete and purge jobs. */
export function meRoutes(accounts: AccountService, onOutboxWork: () => void): Router {
  const router = Router();
  router.get('/api/me', async (req, res) => {
    const profile = await accounts.profile(currentUser(req).id);
    if (!profile) throw problem('DT_ERR_UNAUTHENTICATED');
    res.json(profileView(profile));
  });
  router.patch('/api/me', async (req, res) => {
    const update = jsonBody(req, profileUpdateBody);
    const profile = await accounts.updateProfile(currentUser(req).id, update);
    if (!profile) throw problem('DT_ERR_UNAUTHENTICATED');
    res.json(profileView(profile));
  });
  router.put('/api/me/password', async (req, res) => {
    const { currentPassword, newPassword } = jsonBody(req, passwordChangeBody);
    const changed = await accounts.changePassword(
      currentUser(req).id,
      currentPassword,
      newPassword,
    );
    if (!changed) throw problem('DT_ERR_UNAUTHENTICATED');
    res.status(204).end();
  });
  router.delete('/api/me', exactPathOnly, async (req, res) => {
    await accounts.deleteAccount(currentUser(req).id);
    onOutboxWork();
    res.status(204).end();
  });
  return router;
}
