"""Interoperability: CKAN's Action API, DCAT catalogs and harvesting other portals."""
