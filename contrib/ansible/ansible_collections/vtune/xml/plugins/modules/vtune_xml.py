#!/usr/bin/python
# vtune_xml.py - the Ansible module of the vtune.xml collection: runs
# vtune-xml on the managed host and maps Ansible's states, check mode and
# --diff onto its command line (--check, --diff, -i, --apply, --all).

DOCUMENTATION = r'''
---
module: vtune_xml
short_description: Tune libvirt domain XML for its host with vtune-xml
description:
  - Runs C(vtune-xml) on the managed host. C(state=tuned) rewrites domain
    files in place, C(state=checked) reports what is not tuned (domain
    files, or with C(all) every domain defined on C(uri)), C(state=applied)
    defines the tuned result on C(uri) (files are tuned in place first).
  - Check mode runs C(vtune-xml --check) (nothing written or defined) and
    reports as changed what would change; with --diff the unified diff is
    returned.
  - The JSON report of the run (schemas/report.schema.json) is returned as
    the fact C(vtune_xml_report).
options:
  state:
    description: What to do.
    choices: [tuned, checked, applied]
    default: checked
    type: str
  domains:
    description: Domain XML files on the managed host.
    type: list
    elements: path
    default: []
  all:
    description: Every domain defined on C(uri) instead of files (the drift check, --all).
    type: bool
    default: false
  uri:
    description: The libvirt connection (-c).
    type: str
  host:
    description: The host description (--host); default the connection's capabilities or the machine itself.
    type: str
  profile:
    description: The profile (--profile).
    type: str
  policy:
    description: A policy file (--policy).
    type: path
  options:
    description: More vtune-xml options, one word each.
    type: list
    elements: str
    default: []
  fail_on_drift:
    description: With C(state=checked), fail when a domain is not tuned.
    type: bool
    default: false
  binary:
    description: The vtune-xml program.
    type: path
    default: vtune-xml
'''

RETURN = r'''
drifted:
  description: The domains (files, or URI#NAME) whose tuning would change them.
  type: list
  returned: always
ansible_facts:
  description: C(vtune_xml_report), the JSON report of the run.
  type: dict
  returned: always
'''

import json

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='checked',
                       choices=['tuned', 'checked', 'applied']),
            domains=dict(type='list', elements='path', default=[]),
            all=dict(type='bool', default=False),
            uri=dict(type='str'),
            host=dict(type='str'),
            profile=dict(type='str'),
            policy=dict(type='path'),
            options=dict(type='list', elements='str', default=[]),
            fail_on_drift=dict(type='bool', default=False),
            binary=dict(type='path', default='vtune-xml'),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p['all'] == bool(p['domains']):
        module.fail_json(msg='give domains, or all: true (with uri), not both')
    if p['all'] and not p['uri']:
        module.fail_json(msg='all: true reads the domains defined on uri: give it')
    if p['state'] == 'applied' and not p['uri']:
        module.fail_json(msg='state: applied defines on uri: give it')
    if p['all'] and p['state'] == 'tuned':
        module.fail_json(msg='all: true has no files to tune: use state checked or applied')

    base = [p['binary']]
    for opt, key in (('--host', 'host'), ('--profile', 'profile'),
                     ('--policy', 'policy'), ('-c', 'uri')):
        if p[key]:
            base += [opt, p[key]]
    base += p['options']
    targets = ['--all'] if p['all'] else list(p['domains'])

    def run(extra, ok=(0,)):
        rc, out, err = module.run_command(base + extra + targets)
        if rc not in ok:
            module.fail_json(msg=err.strip() or 'vtune-xml exited %d' % rc,
                             rc=rc, stderr=err, cmd=base + extra + targets)
        return rc, out, err

    # what the run would change: the report, the drifted domains
    _, out, _ = run(['--report', 'json'])
    try:
        report = json.loads(out)
    except ValueError:
        module.fail_json(msg='vtune-xml gave no JSON report', stdout=out)
    drifted = [d.get('file') for d in report.get('domains', []) if d.get('changed')]
    result = dict(changed=False, drifted=drifted,
                  ansible_facts=dict(vtune_xml_report=report))
    if module._diff and drifted:
        _, diff, _ = run(['--diff'])
        result['diff'] = dict(prepared=diff)

    if p['state'] == 'checked':
        if drifted and p['fail_on_drift']:
            module.fail_json(msg='not tuned: %s' % ', '.join(drifted), **result)
        module.exit_json(**result)
    result['changed'] = bool(drifted)
    if module.check_mode or not drifted:
        module.exit_json(**result)
    if p['state'] == 'tuned':
        run(['-i'])
    else:
        # applied: files are tuned in place and defined, all or none;
        # --all defines the drifted domains
        _, out, _ = run(['--apply'] + ([] if p['all'] else ['-i']))
        result['defined'] = [line for line in out.splitlines() if line.startswith('defined ')]
    module.exit_json(**result)


if __name__ == '__main__':
    main()
