/* Resource previews: table (Tabulator), chart builder (Vega-Lite), map (Leaflet), snippets.
 *
 * Every panel rendered by templates/datasets/_preview_panel.html carries its settings and
 * translated strings in a JSON script; all data comes from the row API
 * (/api/v1/resources/{id}/data/), the same one developers use.
 */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key];
    });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // API paths have no language prefix: ask for answers (error messages above all) in the
  // page's language, not the browser's.
  function pageLanguage() {
    return document.documentElement.lang || "en";
  }

  function requestHeaders(extra) {
    return Object.assign({ "Accept-Language": pageLanguage() }, extra || {});
  }

  function vegaType(kind) {
    if (kind === "integer" || kind === "number") return "quantitative";
    if (kind === "date" || kind === "datetime") return "temporal";
    return "nominal";
  }

  // The row API answers instants in UTC; people read them on the city's clock, as the
  // file said them: "2024-01-02 09:00" (seconds only when there are some).
  function timeFormatter(timeZone) {
    var parts;
    try {
      parts = new Intl.DateTimeFormat("en-CA", {
        timeZone: timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch (e) {
      parts = null; // an unknown zone: the value as the API gave it
    }
    return function (value) {
      if (value == null || value === "" || !parts) return value;
      var moment = new Date(value);
      if (isNaN(moment.getTime())) return value;
      var p = {};
      parts.formatToParts(moment).forEach(function (part) {
        p[part.type] = part.value;
      });
      var text = p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
      return p.second === "00" ? text : text + ":" + p.second;
    };
  }

  function Preview(root, config) {
    this.root = root;
    this.config = config;
    this.t = config.strings;
    this.fields = {};
    config.fields.forEach(function (f) {
      this.fields[f.id] = f;
    }, this);
    this.formatTime = timeFormatter(config.timeZone);
    // What the table shows right now; the chart and the map follow it.
    this.state = { q: "", sort: "", filters: {} };
    this.view = null;
    this.map = null;
  }

  Preview.prototype.query = function (extra) {
    var params = new URLSearchParams();
    if (this.state.q) params.set("q", this.state.q);
    if (this.state.sort) params.set("sort", this.state.sort);
    Object.keys(this.state.filters).forEach(function (key) {
      params.set(key, this.state.filters[key]);
    }, this);
    Object.keys(extra || {}).forEach(function (key) {
      params.set(key, extra[key]);
    });
    return this.config.dataUrl + "?" + params.toString();
  };

  // A cell's value as the table and the map show it.
  Preview.prototype.display = function (fieldId, value) {
    var field = this.fields[fieldId];
    return field && field.type === "datetime" ? this.formatTime(value) : value;
  };

  Preview.prototype.getJSON = function (url, headers) {
    var options = { headers: requestHeaders(Object.assign({ Accept: "application/json" }, headers)) };
    return fetch(url, options).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.detail || response.statusText);
        return body;
      });
    });
  };

  /* --- table ------------------------------------------------------------------------ */

  Preview.prototype.initTable = function () {
    var self = this;
    var t = this.t;
    var lang = pageLanguage();
    var totalLabel = this.root.querySelector(".preview-total");
    var columns = this.config.fields.map(function (f) {
      return {
        title: f.label,
        field: f.id,
        headerTooltip: f.id + " (" + f.type + ")",
        headerSort: f.type !== "geometry",
        headerFilter: f.type === "geometry" ? false : "input",
        headerFilterPlaceholder: format(t.filter, { column: f.label }),
        hozAlign: f.type === "integer" || f.type === "number" ? "right" : "left",
        // (a text node: never read as HTML)
        formatter:
          f.type === "datetime"
            ? function (cell) {
                return document.createTextNode(self.display(f.id, cell.getValue()) || "");
              }
            : undefined,
        visible: f.id !== "_id",
      };
    });
    this.table = new Tabulator(this.root.querySelector(".preview-table"), {
      layout: "fitDataStretch",
      maxHeight: "520px",
      columns: columns,
      pagination: true,
      paginationMode: "remote",
      paginationSize: 25,
      paginationSizeSelector: [10, 25, 50, 100],
      sortMode: "remote",
      filterMode: "remote",
      headerFilterLiveFilterDelay: 500,
      ajaxURL: this.config.dataUrl,
      placeholder: t.noRows,
      locale: lang,
      langs: {
        [lang]: {
          pagination: {
            first: t.first,
            first_title: t.first,
            last: t.last,
            last_title: t.last,
            prev: t.prev,
            prev_title: t.prev,
            next: t.next,
            next_title: t.next,
            page_size: t.pageSize,
            // Tabulator writes "<page_title> <n>" on each page button.
            page_title: this.root.getAttribute("data-page-title"),
          },
        },
      },
      ajaxRequestFunc: function (_url, _config, params) {
        var extra = { limit: params.size, offset: (params.page - 1) * params.size };
        if (params.sort && params.sort.length) {
          self.state.sort = params.sort
            .map(function (s) {
              return (s.dir === "desc" ? "-" : "") + s.field;
            })
            .join(",");
        }
        self.state.filters = {};
        (params.filter || []).forEach(function (flt) {
          if (flt.value === "" || flt.value == null) return;
          var kind = self.fields[flt.field].type;
          // Text columns match inside the value; other types match it exactly.
          self.state.filters[kind === "text" ? flt.field + "__contains" : flt.field] = flt.value;
        });
        return self.getJSON(self.query(extra)).then(
          function (body) {
            var template = body.total_was_estimated
              ? t.rowsEstimated
              : body.total === 1
                ? t.rowsOne
                : t.rows;
            totalLabel.textContent = format(template, { total: body.total.toLocaleString() });
            totalLabel.classList.remove("text-danger");
            return { last_page: Math.max(1, Math.ceil(body.total / params.size)), data: body.records };
          },
          function (error) {
            totalLabel.textContent = error.message || t.error;
            totalLabel.classList.add("text-danger");
            return { last_page: 1, data: [] };
          }
        );
      },
    });

    // The form is the keyboard-friendly way to search and sort (headers work by mouse too).
    var form = this.root.querySelector(".preview-sort");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.state.q = form.elements.q.value.trim();
      var column = form.elements.sort.value;
      if (column) {
        self.table.setSort(column, form.elements.dir.value); // reloads the rows
      } else {
        self.state.sort = "";
        self.table.clearSort();
        self.table.setData();
      }
    });
  };

  /* --- chart ------------------------------------------------------------------------ */

  Preview.prototype.spec = function (config, records) {
    var fields = this.fields;
    var t = this.t;
    var measure =
      config.aggregate === "count"
        ? { aggregate: "count", type: "quantitative", title: t.count }
        : {
            field: config.y,
            type: "quantitative",
            title: fields[config.y].label,
            aggregate: config.aggregate || undefined,
          };
    var encoding = {};
    if (config.mark === "arc") {
      encoding.theta = measure;
      encoding.color = { field: config.x, type: "nominal", title: fields[config.x].label };
    } else {
      var xType = vegaType(fields[config.x].type);
      if (config.mark === "bar" && xType === "quantitative" && config.aggregate) xType = "ordinal";
      encoding.x = { field: config.x, type: xType, title: fields[config.x].label };
      encoding.y = measure;
      if (config.color) {
        encoding.color = { field: config.color, type: "nominal", title: fields[config.color].label };
      }
    }
    encoding.tooltip = Object.keys(encoding).map(function (key) {
      return Object.assign({}, encoding[key]);
    });
    var ySide = encoding.y || encoding.theta;
    var xSide = encoding.x || encoding.color;
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      // What screen readers announce for the chart (Vega's default: "Vega visualization").
      description: format(t.chartDescription, { y: ySide.title, x: xSide.title }),
      width: "container",
      height: 320,
      data: { values: records },
      // Each bar, point or slice is announced as one ("bar" by default).
      mark: { type: config.mark, ariaRoleDescription: t.marks[config.mark] },
      encoding: encoding,
    };
  };

  Preview.prototype.drawChart = function (config, target) {
    var self = this;
    var fieldIds = [config.x, config.y, config.color].filter(Boolean);
    var url = this.query({ limit: 10000, fields: Array.from(new Set(fieldIds)).join(",") });
    // vega-embed makes its target inline-block, and a "container"-wide chart in an
    // inline-block that has no width of its own is drawn 0 px wide.
    target.style.width = "100%";
    return this.getJSON(url).then(function (body) {
      var spec = self.spec(config, body.records);
      return vegaEmbed(target, spec, {
        actions: { export: true, source: false, compiled: false, editor: false },
        renderer: "svg",
        i18n: {
          CLICK_TO_VIEW_ACTIONS: self.t.chartActions,
          PNG_ACTION: self.t.savePng,
          SVG_ACTION: self.t.saveSvg,
        },
      }).then(function (result) {
        self.translateRoles(target, spec.encoding);
        // The chart is drawn again, in English, when its container's width changes.
        result.view.addResizeListener(function () {
          setTimeout(function () {
            self.translateRoles(target, spec.encoding);
          });
        });
        return result;
      });
    });
  };

  // Vega describes its parts in English whatever the page's language: what each is
  // ("visualization", "axis", "legend": aria-roledescription) and, for axes and legends,
  // what they show ("X-axis titled 'District' for a discrete scale with 5 values: ...").
  // Screen readers read both out: put them in the page's language.
  Preview.prototype.translateRoles = function (target, encoding) {
    var t = this.t;
    var roles = t.roles;
    var guides = {
      X: encoding.x && format(t.xAxis, { title: encoding.x.title }),
      Y: encoding.y && format(t.yAxis, { title: encoding.y.title }),
      legend: encoding.color && format(t.legend, { title: encoding.color.title }),
    };
    target.querySelectorAll("[aria-roledescription]").forEach(function (element) {
      var role = element.getAttribute("aria-roledescription");
      if (!Object.prototype.hasOwnProperty.call(roles, role)) return;
      element.setAttribute("aria-roledescription", roles[role]);
      var label = element.getAttribute("aria-label") || "";
      var guide = role === "axis" ? guides[label.charAt(0)] : role === "legend" && guides.legend;
      if (guide) element.setAttribute("aria-label", guide);
    });
  };

  Preview.prototype.chartConfig = function () {
    var form = this.root.querySelector(".preview-chart-form");
    return {
      mark: form.elements.mark.value,
      x: form.elements.x.value,
      y: form.elements.y.value,
      aggregate: form.elements.aggregate.value,
      color: form.elements.color.value,
    };
  };

  Preview.prototype.initChart = function () {
    var self = this;
    var form = this.root.querySelector(".preview-chart-form");
    var message = this.root.querySelector(".preview-chart-message");
    var actions = this.root.querySelector(".preview-chart-actions");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var config = self.chartConfig();
      message.textContent = "";
      if (!config.y && config.aggregate !== "count") {
        message.textContent = self.t.chartNeedsY;
        return;
      }
      self.drawChart(config, self.root.querySelector(".preview-chart")).then(
        function (result) {
          self.view = result.view;
          actions.hidden = false;
        },
        function (error) {
          message.textContent = error.message || self.t.error;
        }
      );
    });
    actions.querySelectorAll("[data-download]").forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.getAttribute("data-download");
        if (!self.view) return;
        self.view.toImageURL(kind, 2).then(function (href) {
          var link = document.createElement("a");
          link.href = href;
          link.download = "chart." + kind;
          document.body.appendChild(link);
          link.click();
          link.remove();
        });
      });
    });
    var save = actions.querySelector(".preview-chart-save");
    if (save) {
      save.addEventListener("click", function () {
        var title = self.root.querySelector("[id$='-chart-title']").value;
        fetch(self.config.chartsUrl, {
          method: "POST",
          headers: requestHeaders({
            "Content-Type": "application/json",
            "X-CSRFToken": csrfToken(),
          }),
          body: JSON.stringify({ title: title, config: self.chartConfig() }),
        })
          .then(function (response) {
            return response.json().then(function (body) {
              if (!response.ok) {
                var first = body.detail || Object.values(body)[0];
                throw new Error(Array.isArray(first) ? first[0] : first);
              }
              return body;
            });
          })
          .then(
            function (chart) {
              message.textContent = self.t.chartSaved;
              self.config.charts.push(chart);
              self.renderSavedCharts();
            },
            function (error) {
              message.textContent = error.message || self.t.chartError;
            }
          );
      });
    }
    this.renderSavedCharts();
  };

  Preview.prototype.renderSavedCharts = function () {
    var self = this;
    var holder = this.root.querySelector(".preview-saved-charts");
    holder.innerHTML = "";
    this.config.charts.forEach(function (chart) {
      var figure = document.createElement("figure");
      figure.className = "border rounded p-2 mb-3";
      var caption = document.createElement("figcaption");
      caption.className = "fw-semibold d-flex justify-content-between";
      caption.textContent = chart.title;
      var target = document.createElement("div");
      target.setAttribute("role", "img");
      target.setAttribute("aria-label", chart.title);
      figure.appendChild(caption);
      figure.appendChild(target);
      if (self.config.canEdit) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-sm btn-link text-danger";
        remove.textContent = self.t.remove;
        remove.addEventListener("click", function () {
          fetch(self.config.chartsUrl + chart.id + "/", {
            method: "DELETE",
            headers: requestHeaders({ "X-CSRFToken": csrfToken() }),
          }).then(function (response) {
            if (!response.ok) return;
            self.config.charts = self.config.charts.filter(function (c) {
              return c.id !== chart.id;
            });
            self.renderSavedCharts();
          });
        });
        caption.appendChild(remove);
      }
      holder.appendChild(figure);
      self.drawChart(chart.config, target).catch(function () {
        target.textContent = self.t.error;
      });
    });
  };

  /* --- map -------------------------------------------------------------------------- */

  Preview.prototype.initMap = function () {
    var self = this;
    var element = this.root.querySelector(".preview-map");
    if (!element || !this.config.geo) return;
    var note = this.root.querySelector(".preview-map-note");
    // maxZoom on the map itself: clustering needs it even when there is no tile layer.
    var map = L.map(element, { keyboard: true, preferCanvas: true, maxZoom: 19 });
    this.map = map;
    if (this.config.tileUrl) {
      L.tileLayer(this.config.tileUrl, {
        maxZoom: 19,
        attribution: this.config.tileAttribution,
      }).addTo(map);
    } else {
      element.style.background = "#eef2f5";
      note.textContent = this.t.mapNoTiles;
    }
    map.setView([25.04, 121.53], 11);
    var url = this.query({ format: "geojson", limit: 5000 });
    // X-Preview: drawing the map is not a download of the data.
    this.getJSON(url, { "X-Preview": "1" }).then(function (data) {
      var cluster = L.markerClusterGroup();
      var layer = L.geoJSON(data, {
        onEachFeature: function (feature, featureLayer) {
          var lines = Object.keys(feature.properties)
            .filter(function (key) {
              return key !== "_id" && feature.properties[key] != null;
            })
            .slice(0, 8)
            .map(function (key) {
              var label = self.fields[key] ? self.fields[key].label : key;
              var row = document.createElement("div");
              var strong = document.createElement("strong");
              strong.textContent = label + ": ";
              row.appendChild(strong);
              row.appendChild(
                document.createTextNode(String(self.display(key, feature.properties[key])))
              );
              return row.outerHTML;
            });
          featureLayer.bindPopup(lines.join(""));
        },
      });
      cluster.addLayer(layer);
      map.addLayer(cluster);
      var count = data.features.filter(function (feature) {
        return feature.geometry;
      }).length;
      var countText = format(count === 1 ? self.t.mapPointsOne : self.t.mapPoints, {
        count: count.toLocaleString(),
      });
      note.textContent = (note.textContent ? note.textContent + " " : "") + countText;
      element.setAttribute("data-points", String(count));
      if (count) map.fitBounds(layer.getBounds(), { maxZoom: 16 });
    });
  };

  /* --- snippets, counting ----------------------------------------------------------- */

  Preview.prototype.initCopy = function () {
    var t = this.t;
    this.root.querySelectorAll(".preview-copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var code = document.getElementById(button.getAttribute("data-copy-target"));
        navigator.clipboard.writeText(code.textContent).then(function () {
          button.setAttribute("aria-label", t.copied);
          button.classList.add("btn-success");
        });
      });
    });
  };

  Preview.prototype.countView = function () {
    var url = this.config.viewUrl + (this.config.countDataset ? "?dataset=1" : "");
    fetch(url, { method: "POST", headers: { "X-CSRFToken": csrfToken() } }).catch(function () {});
  };

  Preview.prototype.init = function () {
    var self = this;
    this.initTable();
    this.initChart();
    this.initCopy();
    var mapTab = this.root.querySelector("[id$='-map-tab']");
    if (mapTab) {
      // Leaflet measures its container, so the map is built when its tab is first shown.
      mapTab.addEventListener("shown.bs.tab", function () {
        if (!self.map) self.initMap();
        else self.map.invalidateSize();
      });
    }
    this.countView();
  };

  function start() {
    document.querySelectorAll(".data-preview").forEach(function (root) {
      if (root.dataset.started) return;
      root.dataset.started = "1";
      var config = JSON.parse(document.getElementById(root.dataset.configId).textContent);
      new Preview(root, config).init();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // A preview htmx swapped in (the resource page, when a new version is ready).
  document.addEventListener("htmx:afterSettle", start);
})();
