-- The demo data set (DESIGN §4): two collection templates in two versions each, built from a
-- handful of information units. Idempotent: ids derive from keys, every insert skips what exists.

INSERT INTO information_unit (id, iu_key, kind, title, body, lifecycle_state, actor)
SELECT md5(iu_key)::uuid, iu_key, kind, title, body, 'active', 'demo'
FROM (VALUES
    ('iu:demo:status-report:summary',    'section', 'Summary',            'What happened this period, in three lines.'),
    ('iu:demo:status-report:progress',   'section', 'Progress',           'Milestones reached and their dates.'),
    ('iu:demo:status-report:risks',      'section', 'Risks',              'Open risks with owner and mitigation.'),
    ('iu:demo:status-report:next-steps', 'section', 'Next steps',         'What happens next and who does it.'),
    ('iu:demo:status-report:metrics',    'section', 'Metrics',            'The numbers that matter, against target.'),
    ('iu:demo:onboarding:welcome',       'step',    'Welcome',            'A note from the team lead.'),
    ('iu:demo:onboarding:accounts',      'step',    'Accounts',           'Mail, chat and repository access.'),
    ('iu:demo:onboarding:equipment',     'step',    'Equipment',          'Laptop and badge pick-up.'),
    ('iu:demo:onboarding:buddy',         'step',    'Buddy',              'Who to ask during the first month.'),
    ('iu:demo:onboarding:first-week',    'step',    'First week',         'The plan for days one to five.'),
    ('iu:demo:onboarding:policies',      'step',    'Policies',           'Security and leave policies to read.'),
    ('iu:demo:doc:handbook',             'document', 'Employee handbook', 'The handbook the onboarding steps cite.'),
    ('iu:demo:doc:glossary',             'document', 'Glossary',          'Terms used across IU Core.')
) AS v(iu_key, kind, title, body)
ON CONFLICT (iu_key) DO NOTHING;

INSERT INTO iu_collection_template_registry (template_id, kind, title, description) VALUES
    ('tpl:file:status-report', 'file', 'Status report', 'A periodic project status report.'),
    ('tpl:wf:onboarding',      'wf',   'Onboarding',    'The onboarding workflow of a new team member.')
ON CONFLICT (template_id) DO NOTHING;

INSERT INTO iu_collection_template_version (template_id, version, piece_ids, digest)
SELECT template_id, version, pieces, fn_iu_piece_digest(pieces)
FROM (
    SELECT template_id, version, array_agg(md5(piece)::uuid ORDER BY ord) AS pieces
    FROM (VALUES
        ('tpl:file:status-report', 1, ARRAY['iu:demo:status-report:summary', 'iu:demo:status-report:progress',
                                            'iu:demo:status-report:risks', 'iu:demo:status-report:next-steps']),
        ('tpl:file:status-report', 2, ARRAY['iu:demo:status-report:summary', 'iu:demo:status-report:metrics',
                                            'iu:demo:status-report:progress', 'iu:demo:status-report:risks',
                                            'iu:demo:status-report:next-steps']),
        ('tpl:wf:onboarding', 1, ARRAY['iu:demo:onboarding:welcome', 'iu:demo:onboarding:accounts',
                                       'iu:demo:onboarding:equipment', 'iu:demo:onboarding:buddy',
                                       'iu:demo:onboarding:first-week', 'iu:demo:onboarding:policies']),
        ('tpl:wf:onboarding', 2, ARRAY['iu:demo:onboarding:welcome', 'iu:demo:onboarding:policies',
                                       'iu:demo:onboarding:accounts', 'iu:demo:onboarding:equipment',
                                       'iu:demo:onboarding:buddy', 'iu:demo:onboarding:first-week'])
    ) AS v(template_id, version, keys),
    LATERAL unnest(keys) WITH ORDINALITY AS p(piece, ord)
    GROUP BY template_id, version
) AS t
ON CONFLICT (template_id, version) DO NOTHING;
