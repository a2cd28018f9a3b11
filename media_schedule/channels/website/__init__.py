"""The website outlet: publishing the approved revision of a page on this site."""
