//! `robots.txt`, and with `base_url` the `sitemap.xml` and the Atom
//! `feed.xml` of the reports by publication date.

use std::path::PathBuf;

use super::context::SiteContext;
use crate::model::Report;

impl SiteContext<'_> {
    pub(super) fn feeds(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut robots = String::from("User-agent: *\nAllow: /\n");
        if let Some(base) = &self.site.config.base_url {
            robots.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
            out.push((
                PathBuf::from("sitemap.xml"),
                self.sitemap(base).into_bytes(),
            ));
            out.push((PathBuf::from("feed.xml"), self.feed(base).into_bytes()));
        }
        out.push((PathBuf::from("robots.txt"), robots.into_bytes()));
        out
    }

    fn sitemap(&self, base: &str) -> String {
        let mut urls = vec![
            format!("{base}index.html"),
            format!("{base}agencies/index.html"),
        ];
        urls.extend(
            self.year_set
                .iter()
                .map(|y| format!("{base}{y}/index.html")),
        );
        urls.extend(
            self.site
                .agencies
                .keys()
                .map(|s| format!("{base}agencies/{s}/index.html")),
        );
        urls.extend(
            self.reports
                .iter()
                .map(|r| format!("{base}{}/{}/index.html", r.year, r.agency)),
        );
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for u in urls {
            out.push_str(&format!("<url><loc>{}</loc></url>\n", xml_escape(&u)));
        }
        out.push_str("</urlset>\n");
        out
    }

    /// An Atom feed of reports by publication date (newest first); reports
    /// without a date are left out, since a feed entry needs one.
    fn feed(&self, base: &str) -> String {
        let mut dated: Vec<&&Report> = self
            .reports
            .iter()
            .filter(|r| r.published.is_some())
            .collect();
        dated.sort_by(|a, b| (b.published, &a.agency).cmp(&(a.published, &b.agency)));
        let updated = dated
            .first()
            .and_then(|r| r.published)
            .map(|d| format!("{d}T00:00:00+08:00"))
            .unwrap_or_else(|| "1970-01-01T00:00:00+08:00".into());
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{updated}</updated>\n",
            xml_escape(&self.site.config.title),
            xml_escape(base),
            xml_escape(base)
        );
        for r in dated {
            let url = format!("{base}{}/{}/index.html", r.year, r.agency);
            let date = r.published.map(|d| d.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "<entry><title>{}</title><id>{}</id><link href=\"{}\"/><updated>{date}T00:00:00+08:00</updated></entry>\n",
                xml_escape(&format!("{}{}年政府信息公开工作年度报告", self.agency_name(&r.agency), r.year)),
                xml_escape(&url),
                xml_escape(&url)
            ));
        }
        out.push_str("</feed>\n");
        out
    }
}

/// Escapes text for XML and HTML (feeds, sitemaps, SVG).
pub(crate) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
