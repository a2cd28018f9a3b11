"""Admin hooks of the project itself: the dashboard panel on the state of the processes."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from .health import supervised_processes, worker_presence


class ProcessesPanel(Component):
    """Dashboard panel: are the web server, the worker and beat running?

    The embedded run's supervisor records its processes in a file, read here as is. Where
    there is none (production), the panel shows which workers answer a broadcast ping,
    with a short timeout and a cached answer, so the dashboard stays quick.
    """

    name = "outreach_processes"
    order = 80
    template_name = "outreach_site/admin/processes_panel.html"

    def get_context_data(self, parent_context):
        processes = supervised_processes()
        if processes is not None:
            return {"processes": processes, "all_ok": all(process.ok for process in processes)}
        presence = worker_presence()
        return {"presence": presence, "all_ok": presence.ok}


@hooks.register("construct_homepage_panels")
def add_processes_panel(request, panels):
    # Those who schedule placements need to know when nothing will be sent.
    if request.user.has_perm("media_schedule.view_placement") or request.user.has_perm(
        "media_schedule.change_placement"
    ):
        panels.append(ProcessesPanel())
